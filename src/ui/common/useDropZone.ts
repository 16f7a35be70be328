// Drag-and-drop target props for a `.dropzone` element (main thread): highlights while dragging over, hands the
// drop's DataTransfer to `onDrop`.
import { useState, type DragEvent } from 'react';

export interface DropZoneProps {
  readonly className: string;
  readonly onDragOver: (event: DragEvent<HTMLElement>) => void;
  readonly onDragLeave: () => void;
  readonly onDrop: (event: DragEvent<HTMLElement>) => void;
}

export function useDropZone(onDrop: (data: DataTransfer) => void): DropZoneProps {
  const [over, setOver] = useState(false);
  return {
    className: `dropzone${over ? ' dropzone--over' : ''}`,
    onDragOver: (event) => {
      event.preventDefault();
      setOver(true);
    },
    onDragLeave: () => {
      setOver(false);
    },
    onDrop: (event) => {
      event.preventDefault();
      setOver(false);
      onDrop(event.dataTransfer);
    },
  };
}

// Saves text as a file through a temporary object URL (main thread).
export function downloadText(name: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Chrome starts the download after this task; revoking at once would cancel it.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 60_000);
}

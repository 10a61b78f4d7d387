/**
 * Files in and out of the page: drops anywhere on the page and file pickers hand over `File`s;
 * downloads save what the page made (the MIDI take, the performance log).
 *
 * @example
 * acceptDrops(document.body, (files) => files.forEach(route));
 * pickFiles(document.querySelector('#prime-file')!, route);
 * download(recorder.toMidi(), 'take.mid', 'audio/midi');
 */

/** Call `onFiles` with the files dropped on `target`; the page shows `dragging` on `target` meanwhile. */
export function acceptDrops(target: HTMLElement, onFiles: (files: File[]) => void): void {
  let depth = 0; // dragenter/leave fire for every child crossed
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  target.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    target.classList.add('dragging');
  });
  target.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  target.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) target.classList.remove('dragging');
  });
  target.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    target.classList.remove('dragging');
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) onFiles(files);
  });
}

/** Call `onFile` with each file picked in a file input, then clear it so the same file can be picked again. */
export function pickFiles(input: HTMLInputElement, onFile: (file: File) => void): void {
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    files.forEach(onFile);
  });
}

/** Save bytes or text as a file the browser downloads. */
export function download(data: Uint8Array | string, fileName: string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // the download has its own copy once started; the URL is only needed for the click
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What a file is for, from its name and first bytes. */
export async function kindOf(file: File): Promise<'midi' | 'json' | 'unknown'> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  if (String.fromCharCode(...head) === 'MThd' || /\.(mid|midi|smf)$/i.test(file.name)) return 'midi';
  if (/\.json$/i.test(file.name) || head[0] === 0x7b) return 'json';
  return 'unknown';
}

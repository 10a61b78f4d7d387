/**
 * The page's message area: errors, warnings and notes for the performer, on the page where
 * they can be seen from the stage (and in the console too). The same message repeated (an
 * output failing on every step) is shown once with a count instead of flooding the list.
 * Errors and warnings stay until dismissed; notes go away by themselves. The area is a status
 * line: the newest message shows, the `more` button opens the rest.
 *
 * @example
 * const messages = new Messages(document.querySelector('#messages')!, document.querySelector('#messages-all')!);
 * messages.error(new Error('weights/x/model.json: HTTP 404 Not Found'), 'Model');
 * messages.warn('exported with RNBO 1.3.4, runtime 1.4.1', 'RNBO');
 * messages.info('primed from groove.mid: 64 steps');
 */
export type Level = 'error' | 'warn' | 'info';

export interface Message {
  readonly level: Level;
  readonly text: string;
  count: number;
}

/** Messages kept open at once; older ones make room. */
const KEEP = 8;
/** How long a note stays, in ms. */
const NOTE_MS = 8000;
/** Messages remembered for `all()`. */
const HISTORY = 50;

export class Messages {
  private readonly list: { msg: Message; el: HTMLElement; countEl: HTMLElement }[] = [];
  private readonly history: Message[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly more?: HTMLButtonElement,
  ) {
    more?.addEventListener('click', () => this.open(!this.isOpen));
  }

  private get isOpen(): boolean {
    return this.root.parentElement?.classList.contains('open') ?? false;
  }

  private open(on: boolean): void {
    this.root.parentElement?.classList.toggle('open', on);
    this.more?.setAttribute('aria-expanded', String(on));
    this.update();
  }

  /** The `more` button's count, and the status line closed once nothing is left to open. */
  private update(): void {
    const others = this.list.length - 1;
    if (others < 1 && this.isOpen) return this.open(false);
    this.root.parentElement?.classList.toggle('more', others > 0);
    if (!this.more) return;
    this.more.hidden = others < 1;
    this.more.textContent = this.isOpen ? 'Show less' : `+${others} more`;
  }

  error(e: unknown, context?: string): void {
    const text = e instanceof Error ? e.message : String(e);
    console.error(context ? `${context}:` : '', e);
    this.add('error', context ? `${context}: ${text}` : text);
  }

  warn(text: string, context?: string): void {
    console.warn(text);
    this.add('warn', context ? `${context}: ${text}` : text);
  }

  info(text: string): void {
    this.add('info', text);
  }

  /** The messages shown lately (dismissed ones too), oldest first. */
  all(): Message[] {
    return this.history.map((m) => ({ ...m }));
  }

  clear(): void {
    for (const m of this.list) m.el.remove();
    this.list.length = 0;
    this.update();
  }

  private add(level: Level, text: string): void {
    const same = this.list.find((m) => m.msg.level === level && m.msg.text === text);
    if (same) {
      same.msg.count++;
      same.countEl.textContent = `×${same.msg.count}`;
      this.root.prepend(same.el);
      const h = this.history.find((m) => m.level === level && m.text === text);
      if (h) h.count = same.msg.count;
      // the newest first: the one the status line shows
      const i = this.list.indexOf(same);
      this.list.splice(i, 1);
      this.list.push(same);
      return;
    }
    const el = document.createElement('div');
    el.className = `message ${level}`;
    el.setAttribute('role', level === 'error' ? 'alert' : 'status');
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = level === 'error' ? 'Error' : level === 'warn' ? 'Warning' : 'Note';
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    body.title = text;
    const countEl = document.createElement('span');
    countEl.className = 'count';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'dismiss';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss this message');
    const entry = { msg: { level, text, count: 1 }, el, countEl };
    const dismiss = () => {
      el.remove();
      const i = this.list.indexOf(entry);
      if (i >= 0) this.list.splice(i, 1);
      this.update();
    };
    close.addEventListener('click', dismiss);
    if (level === 'info') setTimeout(dismiss, NOTE_MS);
    el.append(tag, body, countEl, close);
    this.root.prepend(el);
    this.list.push(entry);
    while (this.list.length > KEEP) this.list.shift()?.el.remove();
    this.history.push({ level, text, count: 1 });
    if (this.history.length > HISTORY) this.history.shift();
    this.update();
  }
}

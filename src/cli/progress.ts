/** A one-line progress bar on stderr when it is a terminal; a line every 10% otherwise. */
export class Progress {
  private n = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  tick() {
    this.n++;
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && this.n < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = this.total ? Math.round((this.n / this.total) * width) : width;
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.n}/${this.total}`);
    } else {
      const decile = this.total ? Math.floor((this.n / this.total) * 10) : 10;
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.out.write(`${this.label}: ${this.n}/${this.total}\n`);
      }
    }
  }

  done() {
    if (this.out.isTTY) this.out.write('\n');
  }
}

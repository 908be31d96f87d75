// Shutdown as a LIFO list of releasers registered as resources are created:
// whatever was opened last is closed first. A failing releaser does not stop the rest.
export class Releasers {
  private readonly stack: Array<{ name: string; release: () => Promise<void> | void }> = [];

  add(name: string, release: () => Promise<void> | void): void {
    this.stack.push({ name, release });
  }

  /** Releases everything, newest first; returns the errors met on the way. */
  async releaseAll(): Promise<Array<{ name: string; error: unknown }>> {
    const errors: Array<{ name: string; error: unknown }> = [];
    while (this.stack.length > 0) {
      const { name, release } = this.stack.pop()!;
      try {
        await release();
      } catch (error) {
        errors.push({ name, error });
      }
    }
    return errors;
  }
}

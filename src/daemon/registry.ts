// The daemon's workflows: loads the workflows directory, watches it and reloads on
// change. An invalid edit is logged once (file:line:col: error CODE message) and the
// previous valid version of that file's workflow keeps running; a deleted file
// removes its workflow. Emits 'change' when the set of valid definitions changed,
// 'loaded' (invalid file count) after every load and 'load_failed' when a reload threw.
import { EventEmitter } from 'node:events';
import { type FSWatcher, watch as watchDir } from 'node:fs';
import { resolve } from 'node:path';
import { type Diagnostic, formatDiagnostic, type WorkflowDefinition } from '../dsl/index.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { loadWorkflowDir } from '../workflows/index.js';

export interface RegistryOptions {
  dir: string;
  logger: Logger;
  watch: boolean;
  /** Quiet time after the last file event before reloading (editors write in bursts). */
  debounceMs?: number;
}

const sameFile = (a: string | undefined, b: string): boolean => a !== undefined && resolve(a) === resolve(b);

export class WorkflowRegistry extends EventEmitter {
  private current = new Map<string, WorkflowDefinition>();
  private problems: Diagnostic[] = [];
  private invalid = 0;
  /** What was last logged per file, so an unchanged problem is not logged again. */
  private logged = new Map<string, string>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;
  private closed = false;

  private constructor(private readonly options: RegistryOptions) {
    super();
  }

  /** Loads the directory (throws E_WORKFLOWS_DIR when it cannot be read) and watches it. */
  static async open(options: RegistryOptions): Promise<WorkflowRegistry> {
    const registry = new WorkflowRegistry(options);
    await registry.load(true);
    if (options.watch) registry.startWatching();
    return registry;
  }

  names(): string[] {
    return [...this.current.keys()].sort();
  }

  get(name: string): WorkflowDefinition | undefined {
    return this.current.get(name);
  }

  all(): WorkflowDefinition[] {
    return this.names().map((n) => this.current.get(n)!);
  }

  /** How many files had errors in the last load. */
  invalidFiles(): number {
    return this.invalid;
  }

  /** The kind (`uses`) of a step of a loaded workflow. */
  stepKind(workflow: string, stepId: string): string | undefined {
    const def = this.current.get(workflow);
    return [...(def?.steps ?? []), ...(def?.on_failure ?? []), ...(def?.finally ?? [])].find(
      (s) => s.id === stepId,
    )?.uses;
  }

  /** Problems of the last load (invalid files, warnings). */
  diagnostics(): Diagnostic[] {
    return [...this.problems];
  }

  /** Reloads now; concurrent calls share one reload (and one more when asked meanwhile). */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.load(false).catch((err) => {
          this.options.logger.error(
            { event: 'workflows.reload_failed', err, dir: this.options.dir },
            `could not reload the workflows: ${describeError(err)}; the loaded workflows keep running`,
          );
          this.emit('load_failed', err);
        });
      } while (this.again && !this.closed);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    await this.reloading;
  }

  private async load(first: boolean): Promise<void> {
    const { logger } = this.options;
    const loaded = await loadWorkflowDir(this.options.dir);
    const next = new Map(loaded.workflows);
    const byFile = new Map<string, Diagnostic[]>();
    for (const d of loaded.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
    const broken = new Set(
      loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => resolve(d.file)),
    );
    // A file that is there but invalid keeps the workflow it defined before.
    const kept = new Map<string, string>();
    for (const [name, def] of this.current) {
      const file = def.source?.file;
      if (next.has(name) || file === undefined || !broken.has(resolve(file))) continue;
      if (!loaded.files.some((f) => sameFile(file, f))) continue;
      next.set(name, def);
      kept.set(resolve(file), name);
    }
    this.logProblems(byFile, loaded.texts, kept, first);
    this.problems = loaded.diagnostics;
    this.invalid = broken.size;
    const changed =
      next.size !== this.current.size ||
      [...next].some(([name, def]) => JSON.stringify(this.current.get(name)) !== JSON.stringify(def));
    const removed = [...this.current.keys()].filter((n) => !next.has(n));
    this.current = next;
    if (changed && !first) {
      logger.info({ event: 'workflows.reloaded', workflows: this.names(), removed }, 'workflows reloaded');
      this.emit('change');
    }
    this.emit('loaded', this.invalid);
  }

  private logProblems(
    byFile: Map<string, Diagnostic[]>,
    texts: Map<string, string>,
    kept: Map<string, string>,
    first: boolean,
  ): void {
    const { logger } = this.options;
    for (const [file, list] of byFile) {
      const errors = list.filter((d) => d.severity === 'error');
      const signature = JSON.stringify([
        errors.length > 0,
        list.map((d) => [d.line, d.column, d.code, d.message]),
      ]);
      if (this.logged.get(file) === signature) continue;
      this.logged.set(file, signature);
      for (const d of list) {
        const line = formatDiagnostic(d, texts.get(file) || undefined);
        if (d.severity === 'error') logger.error({ file, code: d.code }, line);
        else logger.warn({ file, code: d.code }, line);
      }
      if (errors.length === 0) continue;
      const keeps = kept.get(resolve(file));
      logger.warn(
        { event: 'workflows.invalid', file, errors: errors.length },
        keeps
          ? `workflow file ${file} is invalid: workflow ${keeps} keeps running its previous version; fix the file and save it again (gcflow validate ${file})`
          : `workflow file ${file} is invalid and is not loaded${first ? '' : ' (its previous version, if any, was not valid either)'}; fix it and save it again (gcflow validate ${file})`,
      );
    }
    for (const [file, signature] of [...this.logged]) {
      if (byFile.has(file)) continue;
      this.logged.delete(file);
      if (signature.startsWith('[true')) logger.info({ file }, `workflow file ${file} is valid again`);
    }
  }

  private startWatching(): void {
    if (this.closed) return;
    const { logger, dir } = this.options;
    try {
      // The directory, not the files: editors save by writing a new file and renaming it.
      this.watcher = watchDir(dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        logger.warn({ err, dir }, 'watching the workflows directory failed; watching again in 1 s');
        this.watcher?.close();
        this.watcher = undefined;
        this.timer = setTimeout(() => {
          this.startWatching();
          this.schedule();
        }, 1_000);
      });
    } catch (err) {
      logger.warn(
        { err, dir },
        'cannot watch the workflows directory; trying again in 5 s (edits are not picked up meanwhile)',
      );
      this.timer = setTimeout(() => this.startWatching(), 5_000);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 200);
  }
}

import { isLevel, type LogEvent } from '../../src/internal.js';

/** Where events that could not be sent wait for the next page load. */
export interface OfflineOptions {
  /**
   * Most characters kept (UTF-16 code units, the unit browsers count storage quota in; about
   * bytes for ASCII). The oldest events go first, counted. @default 262144 (256 KB)
   */
  maxBytes?: number;
  /** localStorage key. @default 'shiplog:offline' */
  key?: string;
}

/** Counters of the offline store. */
export interface OfflineStats {
  /** Events written to storage. */
  stored: number;
  /** Events read back from storage and handed to the pipeline again. */
  restored: number;
  /** Events that did not fit (oldest first) or could not be written, and stored entries that were unreadable (corrupt) and discarded. */
  dropped: number;
  /** Events handed to a beacon at page hide and kept (receiver dedupes by id) to be sent again at the next load. */
  handedOffKept: number;
  /** Handed-off events read back and sent again (the receiver drops those that had arrived). */
  handedOffResent: number;
}

/** The counters of a store that has kept nothing (also what `stats().offline` says without a store). */
export const noOfflineStats = (): OfflineStats => ({ stored: 0, restored: 0, dropped: 0, handedOffKept: 0, handedOffResent: 0 });

type Stored = [level: string, time: number, line: string];

/**
 * Whether an entry read back from storage is one this store wrote: an own level name, a finite
 * time, and a line that is a JSON object. Storage is shared with the page's other scripts and
 * with older versions, and the browser sink splices lines into a JSON array as they are: one
 * line that is not JSON would make the whole restored batch bad JSON, refused by the endpoint.
 */
function isStored(entry: unknown): entry is Stored {
  if (!Array.isArray(entry) || entry.length !== 3) return false;
  const [level, time, line] = entry as unknown[];
  if (!isLevel(level) || !Number.isFinite(time) || typeof line !== 'string' || line[0] !== '{') return false;
  try {
    JSON.parse(line); // text that starts with `{` and parses is a JSON object
    return true;
  } catch {
    return false;
  }
}

/** An event as stored: `[level, time, line]`. */
const toStored = (event: LogEvent): Stored => [event.level, event.time, event.line];

/** A bounded queue of events in localStorage; see {@link createOfflineStore}. */
export interface OfflineStore {
  readonly stats: OfflineStats;
  /** Appends events; the oldest are dropped (and reported) when over the bound or the quota. */
  save(events: readonly LogEvent[]): void;
  /** Reads every stored event and clears the storage. */
  take(): LogEvent[];
  /** Keeps events a beacon took (see {@link createOfflineStore}); what does not fit is forgotten, not dropped: it was sent. */
  keepHandedOff(events: readonly LogEvent[]): void;
  /** Reads the kept handed-off events (and forgets them) to send them again. */
  takeHandedOff(): LogEvent[];
}

/**
 * A bounded queue of events in localStorage: `save` appends (dropping the oldest over the
 * bound), `take` reads and clears. Storage that is missing, full or blocked (private mode,
 * sandboxed frames) never throws; what cannot be kept is counted and reported. Events handed
 * off by beacon are kept apart, under `<key>:handed-off` (its own bound, `maxBytes`, newest
 * kept), until the next page load sends them again with the same ids: only for receivers that
 * dedupe by `eventId`, elsewhere every beacon would arrive twice. `sentOnce` marks that list:
 * what does not fit there was already sent once, so it is forgotten, not reported dropped.
 */
export function createOfflineStore(
  storage: Storage,
  options: OfflineOptions,
  onDropped: (events: readonly LogEvent[]) => void,
  sentOnce = false,
): OfflineStore {
  const key = options.key ?? 'shiplog:offline';
  const maxBytes = options.maxBytes ?? 262_144;
  const stats = noOfflineStats();
  const handedOff = sentOnce ? undefined : createOfflineStore(storage, { ...options, key: `${key}:handed-off` }, onDropped, true);

  /** Stored events; entries that are not (corrupt content, another script's data) are skipped and counted as dropped. */
  const read = (): LogEvent[] => {
    let text: string | null;
    try {
      text = storage.getItem(key);
    } catch {
      return []; // blocked storage: nothing was kept
    }
    if (text === null) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // counted below
    }
    if (!Array.isArray(parsed)) {
      stats.dropped++; // unreadable content under our key: whatever it held is gone
      return [];
    }
    const events: LogEvent[] = [];
    for (const entry of parsed as unknown[]) {
      if (isStored(entry)) events.push({ level: entry[0], time: entry[1], line: entry[2] } as LogEvent);
      else stats.dropped++;
    }
    return events;
  };

  const write = (events: readonly LogEvent[]): boolean => {
    try {
      if (events.length === 0) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(events.map(toStored)));
      return true;
    } catch {
      return false;
    }
  };

  const store: OfflineStore = {
    stats,
    save(events) {
      if (events.length === 0) return;
      const all = [...read(), ...events];
      let size = 2;
      let keep = all.length;
      // Newest events win: walk back from the end until the bound is reached.
      while (keep > 0) {
        const next = size + JSON.stringify(toStored(all[keep - 1] as LogEvent)).length;
        if (next > maxBytes) break;
        size = next;
        keep--;
      }
      let kept = all.slice(keep);
      let dropped = all.slice(0, keep);
      while (!write(kept) && kept.length > 0) {
        const half = Math.ceil(kept.length / 2);
        dropped = [...dropped, ...kept.slice(0, half)];
        kept = kept.slice(half);
      }
      stats.stored += events.length;
      if (dropped.length > 0 && !sentOnce) {
        stats.dropped += dropped.length;
        onDropped(dropped);
      }
    },
    take() {
      const events = read();
      try {
        storage.removeItem(key);
      } catch {
        return [];
      }
      stats.restored += events.length;
      return events;
    },
    keepHandedOff(events) {
      if (handedOff === undefined || events.length === 0) return;
      handedOff.save(events);
      stats.handedOffKept += events.length;
    },
    takeHandedOff() {
      const events = handedOff?.take() ?? [];
      stats.handedOffResent += events.length;
      return events;
    },
  };
  return store;
}

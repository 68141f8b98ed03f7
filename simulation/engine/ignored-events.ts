import { ROUTER_LOG_MESSAGES, type IgnoreReason } from '../../functions/shared/workflow';
import type { LogFields, Logger } from '../../functions/shared/runtime';

/**
 * The output's `ignoredEvents` (docs/simulate.md#ignored-events): one per delivered event that
 * started nothing, read from the router's own log lines (`event ignored`, `message failed…`) so
 * the simulator reports exactly what the deployed router logs and the dashboard counts.
 */
export interface IgnoredEvent {
  readonly eventId: string;
  readonly eventName: string;
  readonly account: string;
  readonly roleName: string | null;
  /** One of IGNORE_REASONS (functions/shared/workflow/ignore-reasons.ts). */
  readonly reason: IgnoreReason;
  readonly detail: string;
}

/** What a line is logged with, its child fields merged in. */
type Observer = (message: string, fields: LogFields) => void;

/** `inner`, and every line (with the fields of its children) also handed to `observe`. */
export function observingLogger(inner: Logger, observe: Observer, base: LogFields = {}): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}) => {
      inner[level](message, fields);
      observe(message, { ...base, ...fields });
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => observingLogger(inner.child(fields), observe, { ...base, ...fields }),
    addLambdaContext: (context) => inner.addLambdaContext(context),
  };
}

interface EventView {
  readonly account?: unknown;
  readonly detail?: {
    readonly eventID?: unknown;
    readonly eventName?: unknown;
    readonly requestParameters?: { readonly roleName?: unknown } | null;
  };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Collects the router's "started nothing" lines of the messages it was given (by SQS message ID).
 * One entry per event ID, the first time; `list` leaves out events an execution was started for
 * (a redelivery of an event already acted on that then failed is not an ignored event).
 */
export class IgnoredEvents {
  private readonly byMessage = new Map<string, EventView>();
  private readonly entries = new Map<string, IgnoredEvent>();

  /** Called as each message is handed to the router. */
  delivering(messageId: string, event: unknown): void {
    this.byMessage.set(messageId, (event ?? {}) as EventView);
  }

  readonly observe: Observer = (message, fields) => {
    if (message !== ROUTER_LOG_MESSAGES.ignored && message !== ROUTER_LOG_MESSAGES.failed) return;
    const event = this.byMessage.get(String(fields.messageId));
    if (!event) return;
    const eventId = text(event.detail?.eventID) ?? String(fields.messageId);
    if (this.entries.has(eventId)) return;
    const error = fields.error as { message?: unknown } | undefined;
    this.entries.set(eventId, {
      eventId,
      eventName: text(event.detail?.eventName) ?? '',
      account: text(event.account) ?? '',
      roleName: text(event.detail?.requestParameters?.roleName),
      reason: fields.reason as IgnoreReason,
      detail: text(fields.detail) ?? text(error?.message) ?? '',
    });
  };

  /** The ignored events in delivery order, without those an execution was started for. */
  list(actedOn: ReadonlySet<string>): IgnoredEvent[] {
    return [...this.entries.values()].filter((entry) => !actedOn.has(entry.eventId));
  }
}

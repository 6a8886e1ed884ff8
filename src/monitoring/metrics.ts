/**
 * What the monitoring server reports, and its Prometheus text rendering.
 * Counters keep Python's names for the message outcomes
 * (received/processed/dropped/rejected/failed); the rest is ours.
 */
import type { ConsumerStats } from "../consumer/stats.js";

/** Upper bounds of the callback duration histogram, seconds. */
export const DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60] as const;

export class DurationHistogram {
  readonly counts = new Array<number>(DURATION_BUCKETS_S.length).fill(0);
  count = 0;
  sumSeconds = 0;

  observe(ms: number): void {
    const seconds = ms / 1000;
    this.count++;
    this.sumSeconds += seconds;
    for (let i = 0; i < DURATION_BUCKETS_S.length; i++) {
      if (seconds <= DURATION_BUCKETS_S[i]!) {
        this.counts[i]!++;
        break;
      }
    }
  }
}

export interface DaemonMetrics {
  /** Every configured queue has an attached consumer. */
  readonly consuming: boolean;
  readonly published: number;
  readonly stats: ConsumerStats;
  readonly reconnects: number;
  /** Deliveries held unsettled right now (being processed or prefetched). */
  readonly inFlight: number;
  readonly durations: DurationHistogram;
  /** Sessions RabbitMQ ended because it could not convert a message for AMQP 1.0. */
  readonly conversionFailures: number;
}

export function renderPrometheus(m: DaemonMetrics): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric("fedora_messaging_consuming", "gauge", "1 while every configured queue has an attached consumer.", [["", m.consuming ? 1 : 0]]);
  metric("fedora_messaging_messages_received_total", "counter", "Messages handed to the callback.", [["", m.stats.received]]);
  metric("fedora_messaging_messages_total", "counter", "Messages by outcome of the callback.", [
    ['{outcome="processed"}', m.stats.processed],
    ['{outcome="dropped"}', m.stats.dropped],
    ['{outcome="rejected"}', m.stats.rejected],
    ['{outcome="failed"}', m.stats.failed],
  ]);
  metric("fedora_messaging_published_total", "counter", "Messages published and confirmed.", [["", m.published]]);
  metric("fedora_messaging_reconnects_total", "counter", "Connections re-established after a loss.", [["", m.reconnects]]);
  metric("fedora_messaging_unconvertible_message_session_ends_total", "counter", "Sessions RabbitMQ ended because it could not convert a message for AMQP 1.0.", [["", m.conversionFailures]]);
  metric("fedora_messaging_in_flight", "gauge", "Unsettled deliveries (being processed or prefetched).", [["", m.inFlight]]);
  lines.push(
    "# HELP fedora_messaging_callback_duration_seconds Time the callback took per message.",
    "# TYPE fedora_messaging_callback_duration_seconds histogram",
  );
  let cumulative = 0;
  DURATION_BUCKETS_S.forEach((bound, i) => {
    cumulative += m.durations.counts[i]!;
    lines.push(`fedora_messaging_callback_duration_seconds_bucket{le="${bound}"} ${cumulative}`);
  });
  lines.push(
    `fedora_messaging_callback_duration_seconds_bucket{le="+Inf"} ${m.durations.count}`,
    `fedora_messaging_callback_duration_seconds_sum ${m.durations.sumSeconds}`,
    `fedora_messaging_callback_duration_seconds_count ${m.durations.count}`,
  );
  return `${lines.join("\n")}\n`;
}

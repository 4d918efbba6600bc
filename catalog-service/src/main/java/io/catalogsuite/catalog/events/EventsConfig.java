package io.catalogsuite.catalog.events;

import io.catalogsuite.common.config.Env;
import java.util.Map;

/**
 * How change events are relayed and streamed, from the environment.
 *
 * @param pollMs           {@code EVENTS_POLL_MS}: the relay looks for unpublished events this often even without
 *                         a notification, and a standby instance tries this often to become the relay
 * @param batchSize        {@code EVENTS_BATCH_SIZE}: events per relay round (one event bus message, one cache
 *                         invalidation call)
 * @param heartbeatMs      {@code EVENTS_HEARTBEAT_MS}: an idle event stream gets a comment this often, so that
 *                         proxies keep it open (the gateway closes a client connection silent for 30 s, by
 *                         default)
 * @param retentionHours   {@code EVENTS_RETENTION_HOURS}: events are kept this long for {@code Last-Event-ID}
 *                         resumes, then deleted
 * @param maxStreams       {@code EVENTS_MAX_STREAMS}: open event streams per instance; more get a 503
 * @param maxReplay        {@code EVENTS_MAX_REPLAY}: events a resumed stream replays at most; a client further
 *                         behind gets a {@code gap} event after them, then the live events
 */
public record EventsConfig(int pollMs, int batchSize, int heartbeatMs, int retentionHours, int maxStreams,
    int maxReplay) {

  public static EventsConfig fromEnv(Env env) {
    return new EventsConfig(
        env.integer("EVENTS_POLL_MS", 1000, 10, 60_000),
        env.integer("EVENTS_BATCH_SIZE", 5_000, 1, 50_000),
        env.integer("EVENTS_HEARTBEAT_MS", 5000, 100, 3_600_000),
        env.integer("EVENTS_RETENTION_HOURS", 72, 1, 24 * 365),
        env.integer("EVENTS_MAX_STREAMS", 1000, 0, 100_000),
        env.integer("EVENTS_MAX_REPLAY", 10_000, 1, 10_000_000));
  }

  public static EventsConfig defaults() {
    return fromEnv(Env.of(Map.of()));
  }
}

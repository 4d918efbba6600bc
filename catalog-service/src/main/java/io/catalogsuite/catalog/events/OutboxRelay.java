package io.catalogsuite.catalog.events;

import io.catalogsuite.common.tracing.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the outbox to its subscribers: every committed product event, in order, at least once.
 *
 * <p>Every catalog instance runs one; exactly one of them is the relay at a time: the one holding a Postgres
 * session advisory lock on its own connection. Postgres frees the lock when that connection ends, so when the
 * relay's instance dies, a standby (which asks for the lock every {@link EventsConfig#pollMs()}) takes over.
 *
 * <p>The relay {@code LISTEN}s on {@code product_events}, which a trigger notifies when events commit, and also
 * looks every {@code pollMs} in case a notification was missed. Each round numbers up to a batch of new events
 * (their position is the order of publication), hands them to {@code deliver} (cache invalidation, then the
 * event bus), and only then records them as published; the next batch is numbered meanwhile. A relay that dies
 * in between leaves them unrecorded, and the next relay (or this one, after a failed round) delivers every
 * numbered event after the last one recorded again, before it numbers new ones: subscribers may see an event twice
 * (they compare versions and positions), never miss one.
 *
 * <p>With tracing, each event carries the traceparent of the write that made it (migration V9), and each round's
 * delivery is a trace of its own, its root span linked to those writes: one round serves many of them.
 */
public final class OutboxRelay extends VerticleBase {
  /**
   * The Postgres advisory lock the relay holds: any constant, the same for every instance (the migrations use
   * another). A session that holds it keeps every instance from relaying (tests do).
   */
  public static final long LOCK_KEY = 0x6f75_7462_6f78L; // "outbox"
  private static final String CHANNEL = "product_events";
  private static final int PRUNE_LIMIT = 10_000;
  private static final long PRUNE_EVERY_MS = TimeUnit.MINUTES.toMillis(10);
  /** The span of delivering a batch, with tracing. */
  private static final String SPAN = "outbox relay";
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final PgConnectOptions database;
  private final EventsConfig config;
  private final Tracing tracing;
  private final Function<List<ProductEvent>, Future<Void>> deliver;
  private final Counter published;
  private final Timer rounds;
  private final Timer deliveries;
  private PgConnection connection;
  private boolean leader;
  private boolean draining;
  private boolean drainAgain;
  /** Whether every numbered event up to the last delivered batch has been published (else: deliver those first). */
  private boolean caughtUp;
  /** The next batch, numbered while the one before was delivered; null when none is. */
  private Future<EventLog.Batch> prefetched;
  private long lastPrune;
  private boolean stopped;

  /**
   * @param deliver what to do with each batch of events, in order; the batch counts as published once the
   *                future succeeds, and is delivered again (by this or the next relay) when it fails
   */
  public OutboxRelay(PgConnectOptions database, EventsConfig config, MeterRegistry metrics, Tracing tracing,
      Function<List<ProductEvent>, Future<Void>> deliver) {
    this.database = database;
    this.config = config;
    this.tracing = tracing;
    this.deliver = deliver;
    this.published = Counter.builder("outbox.events.published")
        .description("Product events relayed from the outbox by this instance").register(metrics);
    this.rounds = Timer.builder("outbox.relay.rounds")
        .description("Relay rounds that published events: number, read, deliver, record").register(metrics);
    this.deliveries = Timer.builder("outbox.relay.deliveries")
        .description("Delivering a batch of events: cache invalidation and the event bus").register(metrics);
    Gauge.builder("outbox.relay.leader", () -> leader ? 1 : 0)
        .description("1 while this instance is the outbox relay").register(metrics);
  }

  @Override
  public Future<?> start() {
    // Being the relay is not a condition of serving: the first attempt runs in the background.
    vertx.setPeriodic(1, config.pollMs(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    leader = false;
    return connection == null ? Future.succeededFuture() : connection.close(); // frees the lock at once
  }

  /** Every {@code pollMs}: connect if need be, try for the lock while standby, look for events while relay. */
  private void tick() {
    if (stopped) {
      return;
    }
    if (connection == null) {
      connect();
    } else if (!leader) {
      tryLead();
    } else {
      drain();
      if (System.currentTimeMillis() - lastPrune > PRUNE_EVERY_MS) {
        prune();
      }
    }
  }

  private void connect() {
    PgConnection.connect(vertx, database).onComplete(connected -> {
      if (connected.failed()) {
        log.warn("Outbox relay cannot reach Postgres; retrying: {}", connected.cause().toString());
        return;
      }
      connection = connected.result();
      connection.closeHandler(v -> {
        if (leader && !stopped) {
          log.warn("Outbox relay lost its Postgres connection; another instance takes over");
        }
        connection = null;
        leader = false;
        prefetched = null;
      });
      connection.notificationHandler(notification -> drain());
      tryLead();
    });
  }

  private void tryLead() {
    PgConnection conn = connection;
    conn.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")").execute()
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(false);
          }
          return conn.query("LISTEN " + CHANNEL).execute().map(true);
        })
        .onSuccess(lead -> {
          if (lead && connection == conn) {
            leader = true;
            caughtUp = false;
            prefetched = null;
            log.info("This instance is now the outbox relay");
            drain(); // what was committed while no one relayed
          }
        })
        .onFailure(e -> log.warn("Outbox relay could not take the lead: {}", e.toString()));
  }

  /** Relays until nothing is left; one round at a time, and once more if woken meanwhile. */
  private void drain() {
    if (!leader || stopped) {
      return;
    }
    if (draining) {
      drainAgain = true;
      return;
    }
    draining = true;
    drainAgain = false;
    relayBatch(connection).onComplete(result -> {
      draining = false;
      if (result.failed()) {
        log.warn("Outbox relay round failed; retrying within {} ms: {}", config.pollMs(), result.cause().toString());
      } else if (result.result() || drainAgain) {
        drain();
      }
    });
  }

  /**
   * One round; true when the batch was full (more may be waiting). While a full batch is delivered, the next one is
   * numbered (its positions follow this one's, and it is delivered after it): the database's part of a round
   * overlaps the caches' part of the one before.
   */
  private Future<Boolean> relayBatch(PgConnection conn) {
    long start = System.nanoTime();
    Future<EventLog.Batch> next = prefetched != null ? prefetched : fetch(conn);
    prefetched = null;
    return next.compose(batch -> {
      if (batch.isEmpty()) {
        return Future.succeededFuture(false);
      }
      List<ProductEvent> events = batch.events();
      boolean full = events.size() == config.batchSize();
      if (full && caughtUp) {
        prefetched = EventLog.number(conn, config.batchSize());
      }
      long last = events.get(events.size() - 1).position();
      // With tracing: a trace of its own, linked to the writes' (the request's or import batch's) traces; the
      // invalidation, the event bus message and its receivers are spans of it.
      return tracing.linkedTo(batch.origins(), SPAN, vertx, () -> {
        long delivering = System.nanoTime();
        return deliver.apply(events)
            .onSuccess(v -> deliveries.record(System.nanoTime() - delivering, TimeUnit.NANOSECONDS))
            .compose(v -> EventLog.markPublished(conn, last));
      }).map(v -> {
        rounds.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        published.increment(events.size());
        return full;
      });
    }).onFailure(e -> {
      // Whatever was numbered and not published is delivered again, from the last published position on.
      caughtUp = false;
      prefetched = null;
    });
  }

  /**
   * The next batch to deliver: events numbered but not published (left by a relay that died, or by a failed
   * round) until there are none, then newly numbered ones.
   */
  private Future<EventLog.Batch> fetch(PgConnection conn) {
    if (caughtUp) {
      return EventLog.number(conn, config.batchSize());
    }
    return EventLog.unpublished(conn, config.batchSize()).compose(left -> {
      if (!left.isEmpty()) {
        return Future.succeededFuture(left);
      }
      caughtUp = true;
      return EventLog.number(conn, config.batchSize());
    });
  }

  private void prune() {
    lastPrune = System.currentTimeMillis();
    EventLog.prune(connection, config.retentionHours(), PRUNE_LIMIT)
        .onSuccess(deleted -> {
          if (deleted > 0) {
            log.info("Deleted {} product events older than {} h", deleted, config.retentionHours());
          }
        })
        .onFailure(e -> log.warn("Could not delete old product events: {}", e.toString()));
  }
}

package io.catalogsuite.catalog.imports;

import io.catalogsuite.catalog.imports.ImportRepository.BatchKey;
import io.catalogsuite.catalog.imports.ImportRepository.ClaimedBatch;
import io.catalogsuite.catalog.product.ProductValidator;
import io.catalogsuite.common.tracing.Tracing;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes import batches on this instance; every catalog-service instance runs one.
 *
 * <p>Work arrives two ways. (1) The instance receiving an upload sends each stored batch's key to
 * {@value #ADDRESS}, point to point: the clustered event bus hands each message to one consumer, round-robin over
 * the instances, which spreads an import over all of them. (2) Every {@code IMPORT_SWEEP_MS}, when it has room,
 * the sweeper claims batches left behind: pending past the grace period (the message was lost, or the instance
 * it went to died before claiming it) or running past their lease (their worker died). It also aborts uploads
 * whose receiving instance has left the cluster.
 *
 * <p>At most {@code IMPORT_CONCURRENCY} batches are written at once; more keys wait in a queue here (keys are
 * small; the lines stay in Postgres until claimed). Writing a batch: claim it (see {@link ImportRepository}),
 * read and validate its lines on a worker thread (CPU work, off the event loop), write it in one transaction.
 * When that fails (the database is unavailable, say) the batch is released for a later retry.
 *
 * <p>With tracing, a batch's message carries the upload's trace (Vert.x writes it in the message's headers), and
 * the batch is written in it, in a span {@value #SPAN} of its own, even when it waited in the queue; what the
 * sweeper claims belongs to no trace.
 */
final class ImportWorker extends VerticleBase {
  /** The event-bus address every instance consumes batch keys on. */
  static final String ADDRESS = "catalog.imports.batches";
  static final String SPAN = "import batch";
  private static final Logger log = LoggerFactory.getLogger(ImportWorker.class);

  private final ImportRepository repository;
  private final ImportConfig config;
  private final ProductValidator validator;
  private final String instanceId;
  private final Supplier<Set<String>> clusterMembers;
  private final Tracing tracing;
  private final Deque<Queued> queued = new ArrayDeque<>();
  private final Promise<Void> idle = Promise.promise();
  private MessageConsumer<JsonObject> consumer;
  private long sweepTimer;
  private int writing;
  private boolean sweeping;
  private boolean stopping;

  /**
   * @param instanceId     recorded as {@code processed_by} on the batches this instance claims
   * @param clusterMembers the ids of the cluster's members now, to find uploads whose receiver left
   */
  ImportWorker(ImportRepository repository, ImportConfig config, ProductValidator validator, String instanceId,
      Supplier<Set<String>> clusterMembers, Tracing tracing) {
    this.repository = repository;
    this.config = config;
    this.validator = validator;
    this.instanceId = instanceId;
    this.clusterMembers = clusterMembers;
    this.tracing = tracing;
  }

  /** A batch to write, and the trace its message brought (null without one). */
  private record Queued(BatchKey key, Context trace) {
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, this::received);
    sweepTimer = vertx.setPeriodic(config.sweepMs(), id -> sweep());
    return consumer.completion(); // registered cluster-wide
  }

  /** Stops taking work and waits (up to a lease) for the batches being written; the rest stay for others. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(sweepTimer);
    queued.clear(); // still pending in Postgres: another instance's sweeper claims them after the grace period
    if (writing == 0) {
      idle.tryComplete();
    }
    return consumer.unregister()
        .compose(v -> idle.future().timeout(config.leaseSeconds(), TimeUnit.SECONDS))
        .recover(e -> {
          log.warn("Stopped while writing {} import batches; they will be taken over after their lease", writing);
          return Future.succeededFuture();
        });
  }

  private void received(Message<JsonObject> message) {
    BatchKey key;
    try {
      key = BatchKey.fromJson(message.body());
    } catch (RuntimeException e) {
      message.fail(400, "not a batch key");
      return;
    }
    Context trace = tracing.current(); // before the reply, which ends the message's span
    message.reply(null); // taken; the sender does not wait for the write
    if (!stopping) {
      queued.add(new Queued(key, trace));
      pump();
    }
  }

  /** Starts writing queued batches while there is room. */
  private void pump() {
    while (!stopping && writing < config.concurrency() && !queued.isEmpty()) {
      Queued next = queued.poll();
      run(next.trace(), () -> repository.claim(next.key(), config.leaseSeconds(), instanceId));
    }
  }

  /**
   * Looks for work left behind, when this instance has room for it: batches nobody is writing, and uploads
   * whose receiver is gone.
   */
  private void sweep() {
    if (stopping || sweeping) {
      return;
    }
    sweeping = true;
    int room = config.concurrency() - writing - queued.size();
    abortOrphanedUploads()
        .compose(v -> room <= 0 ? Future.succeededFuture()
            : repository.claimDue(room, config.leaseSeconds(), instanceId)
                .onSuccess(batches -> batches.forEach(batch -> {
                  if (batch.attempt() > 1) {
                    log.info("Taking over import batch {}/{} (claim {}): the lease of its last worker ran out",
                        batch.job(), batch.seq(), batch.attempt());
                  }
                  run(null, () -> Future.succeededFuture(batch));
                })))
        .onFailure(e -> log.warn("Import sweep failed: {}", e.toString()))
        .onComplete(done -> sweeping = false);
  }

  /**
   * Aborts the uploads whose receiving instance has left the cluster: their client never got a 202 and the rest
   * of the upload will never come. Any instance may do it, more than one at once: only one abort takes effect.
   */
  private Future<Void> abortOrphanedUploads() {
    return repository.receiving().compose(jobs -> {
      Set<String> members = clusterMembers.get();
      return Future.all(jobs.stream()
          .filter(job -> !members.contains(job.receiver()))
          .map(job -> repository.abort(job.job(), "the instance receiving the upload left before its end")
              .onSuccess(aborted -> {
                if (aborted) {
                  log.warn("Import {} aborted: its receiving instance left the cluster mid-upload", job.job());
                }
              }))
          .toList()).mapEmpty();
    });
  }

  /**
   * Writes a batch once claimed (a null claim: nothing to do; claimed as this instance stops: given back at
   * once), in {@code trace}, keeping count of the batches being written.
   */
  private void run(Context trace, Supplier<Future<ClaimedBatch>> claim) {
    writing++;
    tracing.continueIn(trace, SPAN, vertx, () -> claim.get().compose(batch -> batch == null
            ? Future.succeededFuture() : stopping ? repository.release(batch) : write(batch)))
        .onFailure(e -> log.warn("Import batch failed: {}", e.toString()))
        .onComplete(done -> {
          writing--;
          if (stopping && writing == 0) {
            idle.tryComplete();
          }
          pump();
        });
  }

  private Future<Void> write(ClaimedBatch batch) {
    return vertx.executeBlocking(() -> ParsedBatch.parse(batch.firstLine(), batch.lines(), validator), false)
        .compose(parsed -> repository.write(batch, parsed))
        .<Void>map(written -> {
          if (!written) {
            log.info("Import batch {}/{} was taken over by another instance; its writes were rolled back",
                batch.job(), batch.seq());
          }
          return null;
        })
        .recover(failure -> {
          log.warn("Import batch {}/{} failed, released for a retry: {}", batch.job(), batch.seq(), failure.toString());
          return repository.release(batch);
        });
  }
}

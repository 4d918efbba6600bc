package io.catalogsuite.catalog.imports;

import io.catalogsuite.catalog.imports.ImportRepository.BatchKey;
import io.catalogsuite.common.http.ForwardedPrefix;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code POST /imports}: reads the request body as a stream, never whole, and stores it as batches while it
 * arrives.
 *
 * <p>Lines go into the batch being filled; a full batch ({@code IMPORT_BATCH_ROWS} lines, or
 * {@value #MAX_BATCH_CHARS} characters) is stored in Postgres with the request paused, then its key is sent to the
 * workers, and reading resumes. Memory is thus bounded by about one batch whatever the size of the body: a fast
 * client waits for the database (TCP back-pressure), it never fills this instance's heap. The job row is created
 * with the first batch, so a request refused before that (empty, too large at once) writes nothing.
 *
 * <p>The answer, {@code 202} with the job, comes once the body has ended and every batch is stored: from then on
 * nothing of the import can be lost. Batches are written while the rest still arrives.
 *
 * <p>When the client goes away mid-upload, or the body passes {@code IMPORT_MAX_BYTES}, the job is aborted: its
 * batches not yet written are deleted and never will be; those already written stay (upserts: sending the file
 * again completes it).
 */
final class ImportUpload {
  /** Products are small; this keeps a batch of unusually long lines from holding much memory. */
  static final int MAX_BATCH_CHARS = 4 * 1024 * 1024;
  /** Longest line kept; a longer one is an error of its line. A product is a few KiB at most. */
  static final int MAX_LINE_BYTES = 64 * 1024;
  /**
   * After refusing a body mid-way, the rest the client still sends is read and dropped, up to this much and this
   * long, so that it gets to read the refusal (closing on unread data resets the connection, and the answer may
   * be lost); then the connection is closed.
   */
  private static final long DRAIN_BYTES = 1024 * 1024;
  private static final long DRAIN_MS = 5_000;
  private static final Logger log = LoggerFactory.getLogger(ImportUpload.class);

  private final RoutingContext ctx;
  private final HttpServerRequest request;
  private final ImportRepository repository;
  private final ImportConfig config;
  private final EventBus eventBus;
  private final String receiver;
  private final OptionalLong announced;
  private final UUID job = UUID.randomUUID();
  private final LineSplitter splitter = new LineSplitter(MAX_LINE_BYTES, this::line);
  private final List<Batch> full = new ArrayList<>();
  private Batch filling = new Batch(0);
  private boolean jobCreated;
  private int batches;
  /** Lines received so far, blank ones not counted. */
  private long linesReceived;
  private long bytes;
  /** The bytes read when the last batch was closed: the next batch's bytes start here. */
  private long bytesClosed;
  private boolean ended;
  /** An answer went out or the client is gone: nothing more to do but clean up. */
  private boolean finished;
  /** The stores in flight; an abort waits for them. */
  private Future<Void> storing = Future.succeededFuture();

  /**
   * @param receiver  this instance's cluster member id, recorded on the job so that the others can tell when it
   *                  is gone
   * @param announced the body's size, if the client said it ({@code Content-Length}), for the job's progress
   */
  ImportUpload(RoutingContext ctx, ImportRepository repository, ImportConfig config, EventBus eventBus,
      String receiver, OptionalLong announced) {
    this.ctx = ctx;
    this.request = ctx.request();
    this.repository = repository;
    this.config = config;
    this.eventBus = eventBus;
    this.receiver = receiver;
    this.announced = announced;
  }

  /** Starts reading the body. Must run before anything else reads it (this route has no body handler). */
  void start() {
    request.handler(this::data).endHandler(v -> end()).exceptionHandler(this::interrupted);
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue(); // checks passed: the client may send the body now
    }
  }

  private void data(Buffer chunk) {
    if (finished) {
      return;
    }
    bytes += chunk.length();
    if (bytes > config.maxBytes()) {
      refuse(tooLarge(config.maxBytes()), "the body is larger than " + config.maxBytes() + " bytes");
      return;
    }
    splitter.feed(chunk.getBytes());
    if (!full.isEmpty()) {
      request.pause(); // until the full batches are stored: the back-pressure that bounds memory
      storeFull().onSuccess(v -> {
        if (!finished) {
          request.resume();
        }
      });
    }
  }

  private void line(LineSplitter.Line line) {
    // Blank lines were skipped, but a batch holds one element per line so that element i is line first + i:
    // blank lines count against its rows, and a batch that the gap would take past them ends before it. So
    // padding with blank lines costs at most a batch's rows of (empty) elements, not one per blank line.
    if (!filling.lines.isEmpty() && line.number() - filling.first >= config.batchRows()) {
      closeFilling();
    }
    if (filling.lines.isEmpty()) { // a batch starts at a line, never at a blank one
      filling = new Batch(line.number());
    }
    while (filling.first + filling.lines.size() < line.number()) {
      filling.lines.add("");
    }
    if (line.rejected()) {
      filling.lines.add(null);
      filling.refused.add(new LineError(line.number(), line.rejection()));
    } else {
      filling.lines.add(line.text());
      filling.chars += line.text().length();
    }
    linesReceived++;
    if (filling.lines.size() >= config.batchRows() || filling.chars >= MAX_BATCH_CHARS) {
      closeFilling();
    }
  }

  private void closeFilling() {
    close(filling);
    filling = new Batch(0); // its first line sets where it starts
  }

  /**
   * A batch is complete: it takes the lines so far and the bytes read since the last one closed (to within the
   * network read its last line ended in; the next batch starts after that read).
   */
  private void close(Batch batch) {
    batch.linesSoFar = linesReceived;
    batch.bytes = bytes - bytesClosed;
    batch.bytesSoFar = bytes;
    bytesClosed = bytes;
    full.add(batch);
  }

  private void end() {
    if (finished) {
      return;
    }
    ended = true;
    splitter.finish();
    if (!filling.lines.isEmpty()) {
      close(filling);
    }
    storeFull()
        .compose(v -> {
          if (linesReceived == 0) {
            return Future.failedFuture(ProblemException.badRequest(
                "the body holds no lines; send one product (JSON object) per line"));
          }
          return repository.finishReceiving(job, bytes).compose(received -> received
              ? repository.status(job, 0, ImportHandlers.ERRORS_PAGE)
              : Future.failedFuture(ProblemException.serviceUnavailable("the import was aborted; send it again")));
        })
        .onSuccess(status -> {
          finished = true;
          ctx.response().setStatusCode(202)
              .putHeader("Location", ForwardedPrefix.of(ctx) + "/imports/" + job)
              .putHeader("Content-Type", "application/json")
              .end(status.toBuffer());
        })
        .onFailure(this::failed);
  }

  /**
   * Stores the full batches one after the other, and sends each one's key to the workers once stored. Fails
   * (having answered) when the job was aborted meanwhile or the database failed.
   */
  private Future<Void> storeFull() {
    List<Batch> toStore = List.copyOf(full);
    full.clear();
    Future<Void> chain = storing;
    for (Batch batch : toStore) {
      chain = chain.compose(v -> store(batch));
    }
    storing = chain;
    return chain.onFailure(this::failed);
  }

  private Future<Void> store(Batch batch) {
    if (finished) {
      return Future.failedFuture("the upload has finished");
    }
    int seq = batches++;
    Future<Void> created = jobCreated ? Future.succeededFuture()
        : repository.createJob(job, receiver, announced).onSuccess(v -> {
          jobCreated = true;
          log.info("Import {} receiving, {}", job, announced.isPresent() ? announced.getAsLong() + " bytes announced"
              : "size not announced");
        });
    return created
        .compose(v -> repository.storeBatch(job, seq, batch.first, batch.lines, batch.linesSoFar, batch.refused,
            batch.bytes, batch.bytesSoFar))
        .<Void>compose(stored -> stored ? Future.succeededFuture()
            : Future.failedFuture(ProblemException.serviceUnavailable("the import was aborted; send it again")))
        .onSuccess(v -> dispatch(new BatchKey(job, seq)));
  }

  /** Tells one worker, round-robin over the instances; if the message is lost, the sweeper finds the batch. */
  private void dispatch(BatchKey key) {
    eventBus.request(ImportWorker.ADDRESS, key.toJson(),
            new DeliveryOptions().setSendTimeout(config.leaseSeconds() * 1000L))
        .onFailure(e -> log.debug("Batch {}/{} not delivered ({}); the sweeper will take it", key.job(), key.seq(),
            e.toString()));
  }

  /** The client went away (or the connection failed) before the end: nobody will ever get this job's id. */
  private void interrupted(Throwable cause) {
    if (finished || ended) {
      return; // answered, or the whole body is stored: the import goes on
    }
    finished = true;
    abort("the upload was interrupted before its end");
  }

  private void failed(Throwable failure) {
    if (finished) {
      return;
    }
    if (failure instanceof ProblemException problem) {
      refuse(problem, problem.getMessage());
    } else {
      log.warn("Import {} failed while receiving: {}", job, failure.toString());
      refuse(ProblemException.serviceUnavailable("the import database is unavailable; retry later"),
          "the import database failed while receiving");
    }
  }

  /** Answers with the problem, aborts the job (if it exists), and stops reading what is left of the body. */
  private void refuse(ProblemException problem, String reason) {
    finished = true;
    abort(reason);
    if (ended || request.isEnded()) {
      ctx.fail(problem);
      return;
    }
    ctx.response().putHeader("Connection", "close");
    ctx.fail(problem);
    long[] drained = {0};
    long timer = ctx.vertx().setTimer(DRAIN_MS, id -> request.connection().close());
    request.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > DRAIN_BYTES) {
        request.connection().close();
      }
    });
    request.endHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      request.connection().close();
    });
    request.resume();
  }

  private void abort(String reason) {
    storing = storing.recover(e -> Future.succeededFuture()).compose(v -> !jobCreated ? Future.succeededFuture()
        : repository.abort(job, reason).<Void>mapEmpty()
            .onSuccess(v2 -> log.info("Import {} aborted: {}", job, reason))
            .onFailure(e -> log.warn("Import {} could not be aborted ({}); its receiver's departure will be noticed"
                + " only if it leaves the cluster", job, e.toString())));
  }

  static ProblemException tooLarge(long maxBytes) {
    return new ProblemException(413, "payload-too-large", "Payload too large",
        "the import body is larger than " + maxBytes + " bytes (IMPORT_MAX_BYTES)", List.of());
  }

  /** Lines being gathered into one batch. */
  private static final class Batch {
    final long first;
    final List<String> lines = new ArrayList<>();
    final List<LineError> refused = new ArrayList<>();
    long chars;
    /** The upload's line count when this batch was full (its last line included). */
    long linesSoFar;
    /** Its share of the upload's bytes, and the upload's bytes up to its end. */
    long bytes;
    long bytesSoFar;

    Batch(long first) {
      this.first = first;
    }
  }
}

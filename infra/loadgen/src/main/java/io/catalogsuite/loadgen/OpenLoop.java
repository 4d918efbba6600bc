package io.catalogsuite.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One open-loop run: requests due at the times of {@link Arrivals}, each sent when due, whatever the earlier ones
 * are doing, and timed from when it was due (so a stall shows in the percentiles as it would for the users who
 * waited; a closed-loop tool such as wrk would wait with them and not count them: "coordinated omission").
 *
 * <p>A scheduler thread of its own sleeps until each due time and hands the request to the generator's event
 * loop, which sends it and records it; every count lives on that loop. At most {@code connections} requests are
 * in flight: one due beyond that is counted as dropped, never sent late.
 */
final class OpenLoop {
  private final Context loop;
  private final HttpClient client;
  private final Workload workload;
  private final LoadOptions options;
  private final List<Recording> seconds = new ArrayList<>();
  private final Recording total = new Recording();
  private Recording current = new Recording();
  private int inFlight;

  OpenLoop(Context loop, HttpClient client, Workload workload, LoadOptions options) {
    this.loop = loop;
    this.client = client;
    this.workload = workload;
    this.options = options;
  }

  /**
   * Runs for the options' duration at {@code rate}, arrivals drawn from {@code seed}; {@code eachSecond} gets
   * every second's recording.
   */
  Future<Result> run(double rate, long seed, Consumer<Recording> eachSecond) {
    Promise<Result> done = Promise.promise();
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    loop.runOnContext(v -> {
      long timer = loop.owner().setPeriodic(1_000, 1_000, id -> closeSecond(eachSecond));
      Thread scheduler = new Thread(() -> schedule(new Arrivals(rate, seed, start), end, () ->
          loop.runOnContext(last -> drain(timer, eachSecond, done))), "loadgen-scheduler");
      scheduler.setDaemon(true);
      scheduler.start();
    });
    return done.future();
  }

  /** What a run measured: each second, and the whole. */
  record Result(List<Recording> seconds, Recording total) {
  }

  private void schedule(Arrivals arrivals, long end, Runnable finished) {
    for (long due = arrivals.next(); due < end; due = arrivals.next()) {
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      long at = due;
      loop.runOnContext(v -> fire(at));
    }
    finished.run();
  }

  private void fire(long due) {
    current.countOffered();
    if (inFlight >= options.connections()) {
      current.countDropped();
      return;
    }
    inFlight++;
    Operation op = workload.nextOperation();
    Workload.Request request = workload.request(op);
    RequestOptions sent = workload.withKey(new RequestOptions()
        .setAbsoluteURI(options.gateway().resolve(request.path()).toString())
        .setMethod(request.method())
        .setIdleTimeout(options.timeout().toMillis()));
    if (request.body() != null) {
      sent.putHeader("Content-Type", request.contentType());
    }
    client.request(sent)
        .compose(r -> request.body() == null ? r.send() : r.send(request.body()))
        .compose(response -> response.body().map(body -> {
          workload.answered(op, response);
          return response;
        }))
        .onComplete(outcome -> {
          inFlight--;
          long latency = System.nanoTime() - due;
          if (outcome.succeeded()) {
            HttpClientResponse response = outcome.result();
            current.answered(response.statusCode(), response.getHeader("X-Instance-Id"), latency);
          } else {
            current.failed(outcome.cause().getClass().getSimpleName(), latency);
          }
        });
  }

  private void closeSecond(Consumer<Recording> eachSecond) {
    Recording second = current;
    current = new Recording();
    seconds.add(second);
    total.add(second);
    eachSecond.accept(second);
  }

  /** After the last arrival: waits for what is in flight (at most the timeout), then closes the last second. */
  private void drain(long timer, Consumer<Recording> eachSecond, Promise<Result> done) {
    long deadline = System.nanoTime() + options.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1);
    loop.owner().setPeriodic(10, id -> {
      if (inFlight == 0 || System.nanoTime() > deadline) {
        loop.owner().cancelTimer(id);
        loop.owner().cancelTimer(timer);
        closeSecond(eachSecond);
        done.complete(new Result(List.copyOf(seconds), total));
      }
    });
  }
}

package io.catalogsuite.common.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Hazelcast's asynchronous calls as Vert.x futures that complete on the caller's context: the one way the suite
 * waits for Hazelcast.
 *
 * <p>Why not {@code Future.fromCompletionStage}: it registers a plain {@code whenComplete}, and Hazelcast runs
 * such callbacks on its default executor, which is {@code ForkJoinPool.commonPool()} only when the common pool
 * has a parallelism above 1. The common pool's parallelism is the number of CPUs minus one, so on a host or
 * container with 2 CPUs or fewer Hazelcast starts a new thread for every callback, that is for every cache read.
 * Here the callback is handed straight to the caller's event loop by the thread that received Hazelcast's answer:
 * no thread is started, none is borrowed.
 */
public final class HazelcastFutures {
  private HazelcastFutures() {
  }

  /** {@code stage}'s outcome, delivered on {@code context}. */
  public static <T> Future<T> on(Context context, CompletionStage<T> stage) {
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        promise.complete(value);
      } else {
        promise.fail(failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      }
    }, executor(context));
    return promise.future();
  }

  /** An executor that runs tasks on {@code context}, in the order given. */
  public static Executor executor(Context context) {
    return task -> context.runOnContext(ignored -> task.run());
  }
}

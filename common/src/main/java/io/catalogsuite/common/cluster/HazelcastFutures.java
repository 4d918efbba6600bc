package io.catalogsuite.common.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

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
 *
 * <p>Some calls hop through that executor inside Hazelcast, before any callback of ours is attached: the
 * multi-key calls ({@code IMap.submitToKeys}, which the relay's invalidation makes once per batch) complete
 * their own future with {@code whenCompleteAsync(..., getDefaultAsyncExecutor())}. For those
 * {@link #replaceDefaultExecutor} gives Hazelcast a small pool of its own to use instead of a thread per callback.
 */
public final class HazelcastFutures {
  /** Threads of the pool that takes the place of Hazelcast's default async executor: few callbacks reach it. */
  private static final int DEFAULT_EXECUTOR_THREADS = 2;

  private HazelcastFutures() {
  }

  /**
   * Makes Hazelcast's default async executor, in this JVM, a pool of {@value #DEFAULT_EXECUTOR_THREADS} daemon
   * threads, where it would start a thread per callback on hosts with 2 CPUs or fewer; done before the first
   * member starts, and once (later calls keep the first pool).
   */
  public static synchronized void replaceDefaultExecutor() {
    if (!(ConcurrencyUtil.getDefaultAsyncExecutor() instanceof ForkJoinPool pool
        && pool.getFactory() instanceof CallbackThreads)) {
      ConcurrencyUtil.setDefaultAsyncExecutor(
          new ForkJoinPool(DEFAULT_EXECUTOR_THREADS, new CallbackThreads(), null, true));
    }
  }

  /** Daemon threads named {@code hz-callback-N}. */
  private static final class CallbackThreads implements ForkJoinPool.ForkJoinWorkerThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
      ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
      thread.setName("hz-callback-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
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

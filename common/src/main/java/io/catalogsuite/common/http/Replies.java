package io.catalogsuite.common.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * Answers a request from the outcome of its work, whatever happens: a failed outcome, or an exception thrown while
 * the response is made from a successful one (a document that cannot be encoded, say), goes to the router's
 * failure handler, which answers with a problem ({@link Problems}). With a plain {@code onSuccess} such an
 * exception would only be logged, and the client would wait for a response that never comes.
 */
public final class Replies {
  private Replies() {
  }

  /** When {@code outcome} completes: {@code respond} to its result, or fail the request with its cause. */
  public static <T> void reply(RoutingContext ctx, Future<T> outcome, Consumer<T> respond) {
    outcome.onComplete(result -> {
      if (result.failed()) {
        ctx.fail(result.cause());
        return;
      }
      try {
        respond.accept(result.result());
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    });
  }
}

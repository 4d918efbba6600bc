package io.catalogsuite.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.Pipe;
import io.vertx.ext.web.RoutingContext;

/**
 * The body of a streamed request (see {@link ProxyHandler}) on its way to one instance: piped from the client as
 * it arrives, with back-pressure (the client is read no faster than the instance takes it), never whole in memory.
 *
 * <p>The client's request is paused from the start, until {@link #sendTo} pipes it: Vert.x drops the chunks of a
 * request that is neither paused nor read, and connecting to the instance takes a while. When the exchange ends
 * before the whole body went through (the gateway or the instance answered first, or the client went away), the
 * upstream request is cut off, so that the instance never takes a truncated body as whole, and what is left of the
 * client's body is read and dropped, so that its connection can carry its next request.
 */
final class StreamedUpload {
  /**
   * The status of an exchange whose client broke off its upload (nginx's "client closed request"): what the access
   * log and metrics record, and what the exchange completes with, which the circuit breaker does not count as a
   * failure of the instance (it counts failures and 5xx).
   */
  static final int CLIENT_CLOSED_REQUEST = 499;

  /** For the upstream request's failures, which show in its response and the pipe: Vert.x would also log them. */
  private static final Handler<Throwable> IGNORED = failure -> { };

  private final RoutingContext ctx;
  private HttpClientRequest upstream;
  private Pipe<Buffer> pipe;
  private boolean over;

  /** Pauses the client's request, until it is piped or the exchange is over. */
  StreamedUpload(RoutingContext ctx) {
    this.ctx = ctx;
    ctx.request().pause();
    ctx.addEndHandler(ended -> {
      if (ended.failed() && !ctx.response().headWritten()) {
        // Said before the access log's and the metrics' end handlers run: Vert.x runs the last added first.
        ctx.response().setStatusCode(CLIENT_CLOSED_REQUEST);
      }
      over();
    });
  }

  /**
   * Sends the body to {@code request} as it arrives; completes with the instance's response, which may come before
   * the body is all sent (a 413 at the first bytes, say). The instance then has {@code timeoutMs} to answer from the
   * end of the upload, not from its start: an upload takes as long as the client needs.
   */
  Future<HttpClientResponse> sendTo(HttpClientRequest request, long timeoutMs) {
    upstream = request;
    if (over) { // the client went away while the gateway was connecting
      cutOff();
      return Future.failedFuture(new HttpClosedException("the client closed the connection"));
    }
    HttpServerRequest client = ctx.request();
    String length = client.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      request.putHeader(HttpHeaders.CONTENT_LENGTH, length); // the instance may refuse a body too large at once
    } else {
      request.setChunked(true);
    }
    request.exceptionHandler(IGNORED);
    if (client.version() != HttpVersion.HTTP_1_0
        && "100-continue".equalsIgnoreCase(client.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue(); // a client that asked waits for this before it sends a large body
    }
    pipe = client.pipe().endOnFailure(false); // a body cut short must not be ended as if it were whole
    pipe.to(request).onComplete(piped -> {
      if (piped.failed()) {
        cutOff();
      } else if (!request.response().isComplete()) {
        request.idleTimeout(timeoutMs);
      }
    });
    return request.response();
  }

  /** Whether the client went away (its connection closed) before the exchange was over. */
  boolean clientGone() {
    return ctx.response().closed() && !ctx.response().ended();
  }

  /** The exchange is over: answered, or the client went away. What was not sent upstream never will be. */
  private void over() {
    over = true;
    if (ctx.request().isEnded()) {
      return; // the whole body arrived, and the pipe ended the upstream request with it
    }
    if (pipe != null) {
      pipe.close(); // fails the pipe, which cuts the upstream request off, and resumes the client's without a handler
    } else {
      ctx.request().resume(); // no handler: the rest is read and dropped
    }
  }

  /**
   * Ends the upstream request without ending its body, by closing its connection: HTTP/1.1 has no other way, and
   * {@link HttpClientRequest#reset()} keeps the connection once the instance's response has ended, with half a body
   * written on it.
   */
  private void cutOff() {
    upstream.exceptionHandler(IGNORED); // again: closing the pipe removed it
    upstream.connection().close();
  }
}

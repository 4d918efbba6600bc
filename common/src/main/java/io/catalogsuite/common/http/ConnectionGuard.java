package io.catalogsuite.common.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Vert.x's HTTP/1 server leaves to its user about a connection, enforced beneath it, in the connection's
 * Netty pipeline:
 *
 * <ul>
 *   <li><b>A bounded time to send a request head.</b> Once the first byte of a request has arrived, the whole
 *       request line and headers must follow within {@link HttpTimeouts#head()}, or the client gets a
 *       {@code 408} problem and the connection closes (a client that trickles its headers, "slowloris", holds a
 *       connection for that long at most). Vert.x's own idle timeout would not do: any byte resets it.</li>
 *   <li><b>A bounded keep-alive.</b> A connection that has been answered and sends nothing more (or a new one
 *       that sends nothing) is closed after {@link HttpTimeouts#keepAlive()}, silently, as HTTP allows.</li>
 *   <li><b>An answer to a body whose framing broke</b> (a bad chunk size): the response already written, or a
 *       {@code 400} problem, before the connection closes. Left to Vert.x, the client gets a closed connection.</li>
 *   <li><b>A {@code 505} problem for an HTTP version other than 1.0 and 1.1</b> ({@code HTTP/9.9},
 *       {@code HTTP/2.0} on a cleartext HTTP/1 connection). Left to Vert.x, such a request gets a bare
 *       {@code 501} before any handler sees it.</li>
 * </ul>
 *
 * <p>Nothing here runs per byte beyond two field reads, and nothing is scheduled per request: the deadline is a
 * field, and one timer per connection, rescheduled only when it fires early, checks it (the way Netty's
 * {@code IdleStateHandler} works).
 *
 * <p>It reaches the pipeline through {@link HttpServerConnection#channelHandlerContext()}, an interface of
 * Vert.x's {@code impl} package: the one way in that Vert.x 5.0 has. {@code ConnectionGuardTest} covers it, so a
 * Vert.x upgrade that changes it fails the build rather than the guard.
 */
public final class ConnectionGuard {
  /** The two limits, both positive. */
  public record HttpTimeouts(Duration head, Duration keepAlive) {
    /** nginx's keep-alive (75 s); a head timeout well below nginx's 60 s, as a request head is a few hundred bytes. */
    public static final HttpTimeouts DEFAULTS = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(75));

    public HttpTimeouts {
      if (head.isNegative() || head.isZero() || keepAlive.isNegative() || keepAlive.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive: " + head + ", " + keepAlive);
      }
    }
  }

  private enum Phase {
    /** Waiting for the first byte of a request: on a new connection or after every response. */
    WAITING,
    /** The first bytes of a request head have arrived; the rest must follow in time. */
    HEAD,
    /** A request is being read or answered: no deadline (bodies and responses have limits of their own). */
    BUSY
  }

  private final long headNanos;
  private final long keepAliveNanos;
  private final Channel channel;
  private Phase phase = Phase.WAITING;
  private boolean readingBody;
  private int unanswered;
  private long deadline;
  private boolean timerArmed;
  private boolean rejecting;
  /** A response's head has been written and its end not yet. */
  private boolean answering;

  private ConnectionGuard(Channel channel, HttpTimeouts timeouts) {
    this.channel = channel;
    this.headNanos = timeouts.head().toNanos();
    this.keepAliveNanos = timeouts.keepAlive().toNanos();
  }

  /**
   * Guards one HTTP/1 connection; install from {@code HttpServer.connectionHandler}. Other connections (HTTP/2
   * over TLS) are left alone.
   */
  public static void install(HttpConnection connection, HttpTimeouts timeouts) {
    if (!(connection instanceof HttpServerConnection server)) {
      return;
    }
    var pipeline = server.channelHandlerContext().pipeline();
    if (pipeline.get("httpDecoder") == null) {
      return; // not HTTP/1
    }
    var guard = new ConnectionGuard(pipeline.channel(), timeouts);
    pipeline.addBefore("httpDecoder", "guardBytes", guard.new Bytes());
    pipeline.addBefore("handler", "guardMessages", guard.new Messages());
    guard.waitFor(Phase.WAITING, guard.headNanos); // a new connection has as long for its first byte as for a head
  }

  /** Sees the raw bytes, before the HTTP decoder: the first byte of a request starts its head's clock. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (phase == Phase.WAITING) {
        waitFor(Phase.HEAD, headNanos);
      }
      context.fireChannelRead(msg);
    }
  }

  /** Sees decoded requests and the responses written: a head stops the clock, a finished answer restarts it. */
  private final class Messages extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      if (rejecting) {
        ReferenceCountUtil.release(msg); // the rest of a request already refused
        return;
      }
      if (msg instanceof HttpRequest request) {
        if (request.decoderResult().isSuccess() && !supported(request.protocolVersion())) {
          ReferenceCountUtil.release(msg);
          rejecting = true;
          answerAndClose(new ProblemException(505, "http-version-not-supported", "HTTP version not supported",
              "this server speaks HTTP/1.1 and HTTP/1.0, not " + request.protocolVersion(), List.of()));
          return;
        }
        unanswered++;
        readingBody = true;
        phase = Phase.BUSY;
      } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        rejecting = true;
        refuseBody(context);
        return;
      }
      if (msg instanceof LastHttpContent) {
        readingBody = false;
      }
      context.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse && !interim(msg)) {
        answering = true;
      }
      if (msg instanceof LastHttpContent && !interim(msg) && unanswered > 0) {
        unanswered--;
        answering = false;
      }
      context.write(msg, promise);
      if (unanswered == 0 && !readingBody && phase == Phase.BUSY) {
        waitFor(Phase.WAITING, keepAliveNanos);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
      if (unanswered == 0 && !readingBody && phase == Phase.BUSY) { // answered before its body had all arrived
        waitFor(Phase.WAITING, keepAliveNanos);
      }
      context.fireChannelReadComplete();
    }
  }

  /**
   * A body whose framing broke (a chunk size that is no number, a chunk longer than announced): Vert.x would
   * close the connection at once, dropping even a response already written but not yet sent. The client gets
   * what was answered, or a 400 problem if nothing was, and then the connection closes.
   */
  private void refuseBody(ChannelHandlerContext context) {
    if (unanswered == 0 || answering) {
      context.flush();
      channel.close();
    } else {
      answerAndClose(ProblemException.badRequest("the request body is not valid HTTP framing"));
    }
  }

  private static boolean supported(HttpVersion version) {
    return version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0;
  }

  private static boolean interim(Object msg) {
    return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }

  private void waitFor(Phase next, long nanos) {
    phase = next;
    deadline = System.nanoTime() + nanos;
    if (!timerArmed) {
      schedule(nanos);
    }
  }

  private void schedule(long nanos) {
    timerArmed = true;
    channel.eventLoop().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    timerArmed = false;
    if (phase == Phase.BUSY || !channel.isActive()) {
      return; // re-armed by the next response
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      schedule(left);
    } else if (phase == Phase.HEAD) {
      answerAndClose(new ProblemException(408, "request-timeout", "Request timeout",
          "the request headers did not arrive within " + TimeUnit.NANOSECONDS.toMillis(headNanos) + " ms",
          List.of()));
    } else {
      channel.close(); // an idle keep-alive connection
    }
  }

  /**
   * Writes a problem as raw bytes beneath the HTTP codec (which, like Vert.x, never saw this request, so would
   * refuse a response to it), then closes.
   */
  private void answerAndClose(ProblemException problem) {
    phase = Phase.BUSY;
    byte[] body = problem.toJson().toBuffer().getBytes();
    String head = "HTTP/1.1 " + HttpResponseStatus.valueOf(problem.status()) + "\r\n"
        + "Content-Type: " + Problems.CONTENT_TYPE + "\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + "Connection: close\r\n\r\n";
    // written from beneath the decoder, so that the bytes pass no HTTP handler on their way to the socket
    channel.pipeline().context(Bytes.class).writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
        .addListener(ChannelFutureListener.CLOSE);
  }
}

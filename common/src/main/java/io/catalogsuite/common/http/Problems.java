package io.catalogsuite.common.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every failure of a router to an {@code application/problem+json} response, in one place.
 *
 * <p>A {@link ProblemException} becomes its own status; router errors (no route, wrong method, body too large)
 * become the matching 4xx; anything else is a bug: it is logged with its stack trace and answered with a bare
 * {@code 500} that reveals nothing of it.
 */
public final class Problems {
  public static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private Problems() {
  }

  /** Installs the failure handler and the router's error handlers. Call once per router. */
  public static void install(Router router) {
    router.route().failureHandler(Problems::handleFailure);
    router.errorHandler(404, ctx -> send(ctx, ProblemException.notFound("no resource at " + ctx.request().path())));
    router.errorHandler(405, ctx -> send(ctx, new ProblemException(405, "method-not-allowed", "Method not allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path(), List.of())));
  }

  /** Writes the problem as the response, unless a response has already started. */
  public static void send(RoutingContext ctx, ProblemException problem) {
    if (ctx.response().headWritten()) {
      ctx.response().reset(); // a half-sent response cannot be turned into a problem; cut it so the client knows
      return;
    }
    if (problem.retryAfterSeconds() >= 0) {
      ctx.response().putHeader("Retry-After", Long.toString(problem.retryAfterSeconds()));
    }
    ctx.response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(problem.toJson().toBuffer());
  }

  /**
   * Answers a request the HTTP codec could not read (request line or headers too long, malformed HTTP) with
   * the matching problem, then closes the connection, which cannot be trusted to carry another request.
   * Install with {@code HttpServer.invalidRequestHandler}.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ProblemException problem = cause instanceof TooLongHttpHeaderException
        ? new ProblemException(431, "headers-too-large", "Request header fields too large",
            "the request headers are larger than this server accepts", List.of())
        : cause instanceof TooLongHttpLineException
            ? new ProblemException(414, "uri-too-long", "URI too long",
                "the request line is longer than this server accepts", List.of())
            : ProblemException.badRequest("the request is not valid HTTP");
    request.response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Connection", "close")
        .end(problem.toJson().toBuffer())
        .onComplete(done -> request.connection().close());
  }

  static void handleFailure(RoutingContext ctx) {
    send(ctx, toProblem(ctx));
  }

  static ProblemException toProblem(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (failure instanceof DecodeException) {
      return ProblemException.badRequest("malformed JSON");
    }
    return switch (ctx.statusCode()) {
      case 400 -> ProblemException.badRequest("the request could not be read");
      case 404 -> ProblemException.notFound("no resource at " + ctx.request().path());
      case 413 -> new ProblemException(413, "payload-too-large", "Payload too large",
          "the request body is larger than this endpoint accepts", List.of());
      case 415 -> ProblemException.unsupportedMediaType("unsupported content type");
      default -> {
        if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
          // A handler (ours or Vert.x Web's, e.g. CORS) refused the request with a client error status.
          yield new ProblemException(ctx.statusCode(), "client-error", "Request refused",
              "the request was refused (" + ctx.statusCode() + ")", List.of());
        }
        log.error("Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
        yield new ProblemException(500, "internal", "Internal error",
            "the request failed unexpectedly; it has been logged", List.of());
      }
    };
  }
}

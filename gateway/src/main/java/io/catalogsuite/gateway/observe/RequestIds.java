package io.catalogsuite.gateway.observe;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it sends a sane one, else a new random
 * (version 4) UUID. It is echoed on the response, forwarded upstream and written in the access log, so one id
 * follows a request through every process it touches.
 *
 * <p>A request id is a correlation key, not a secret: it is drawn from {@link ThreadLocalRandom}, which costs a
 * few nanoseconds, rather than from the {@code SecureRandom} behind {@link UUID#randomUUID()}, which reads the
 * system's entropy source under a lock for every id.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "requestId";
  private static final int MAX_LENGTH = 128;

  private RequestIds() {
  }

  /** Gives the request its id, puts it on the response and returns it. */
  static String assign(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (id == null || id.isBlank() || id.length() > MAX_LENGTH) {
      id = randomUuid().toString();
    }
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    return id;
  }

  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** A version 4 UUID (RFC 9562 §5.4): 122 random bits, the version and the variant. */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }
}

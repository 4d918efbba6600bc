package io.catalogsuite.common.http;

import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How an instance knows a request comes from the gateway ({@code GATEWAY_SECRET}, the same on every process of a
 * deployment; {@code ./suite} makes one, Compose requires one). The gateway signs every request it forwards with
 * {@value #HEADER}: {@code t=<unix seconds>;s=<HMAC-SHA256 of the time under the secret>}; an instance refuses
 * every request but {@code /health}, {@code /ready} and {@code /metrics} whose signature is missing, wrong or
 * more than {@value #MAX_SKEW_SECONDS} s away from its own clock, with a 403 problem. The secret itself never
 * travels. A signature is made once a second and kept, on both sides, so the cost per request is one string
 * comparison.
 *
 * <p>Without {@code GATEWAY_SECRET} nothing is signed or checked (tests, and deployments that have not set one;
 * the instance logs a warning): then only the network keeps clients away from the instances.
 */
public final class GatewayIdentity {
  public static final String HEADER = "X-Gateway-Signature";
  static final long MAX_SKEW_SECONDS = 60;
  private static final int MIN_SECRET_LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] secret;
  private final LongSupplier clockSeconds;
  /** This second's signature, made once. */
  private volatile Signed current = new Signed(-1, "");

  private record Signed(long second, String value) {
  }

  GatewayIdentity(String secret, LongSupplier clockSeconds) {
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException("GATEWAY_SECRET must have at least " + MIN_SECRET_LENGTH + " characters (got "
          + secret.length() + "); make one with: openssl rand -hex 32");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.clockSeconds = clockSeconds;
  }

  /** The identity {@code GATEWAY_SECRET} gives, if it is set. */
  public static Optional<GatewayIdentity> of(Optional<String> secret) {
    return secret.map(s -> new GatewayIdentity(s, () -> TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis())));
  }

  /** The signature for a request sent now. */
  public String signature() {
    long now = clockSeconds.getAsLong();
    return expected(now, now);
  }

  /** Whether {@code header} is a signature of this deployment's gateway, made within the allowed skew. */
  boolean verify(String header) {
    if (header == null || !header.startsWith("t=")) {
      return false;
    }
    int separator = header.indexOf(";s=");
    long time;
    try {
      time = Long.parseLong(header.substring(2, separator < 0 ? header.length() : separator));
    } catch (NumberFormatException e) {
      return false;
    }
    long now = clockSeconds.getAsLong();
    if (separator < 0 || Math.abs(now - time) > MAX_SKEW_SECONDS) {
      return false;
    }
    return MessageDigest.isEqual(expected(time, now).getBytes(StandardCharsets.US_ASCII),
        header.getBytes(StandardCharsets.US_ASCII));
  }

  /** The signature of {@code time}: the kept one when it is that second's, else made (and kept if it is now's). */
  private String expected(long time, long now) {
    Signed signed = current;
    if (signed.second() == time) {
      return signed.value();
    }
    String value = "t=" + time + ";s=" + mac(time);
    if (time == now) {
      current = new Signed(time, value);
    }
    return value;
  }

  /** A route handler that lets only signed requests on (mount it after the open endpoints). */
  public Handler<RoutingContext> requireSigned() {
    return ctx -> {
      if (verify(ctx.request().getHeader(HEADER))) {
        ctx.next();
      } else {
        Problems.send(ctx, ProblemException.forbidden(
            "this instance serves requests through the gateway only"));
      }
    };
  }

  private String mac(long second) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe: one per signature, at most once a second per loop
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      byte[] digest = mac.doFinal(("catalog-suite-gateway:" + second).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}

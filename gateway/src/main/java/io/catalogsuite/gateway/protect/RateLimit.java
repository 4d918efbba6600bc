package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.ConfigException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token bucket's parameters: {@code permits} tokens per {@code period} flow in, up to {@code burst} tokens are
 * kept. Written {@code 100/s:200} (100 per second, burst 200); without {@code :burst} the burst is one period's
 * worth ({@code 50/s} = {@code 50/s:50}); periods are {@code s}, {@code m} and {@code h}.
 *
 * @param permits tokens added per period
 * @param period  the period
 * @param burst   the bucket's capacity: how many requests a rested client may make at once
 */
public record RateLimit(int permits, Duration period, int burst) {
  private static final Pattern SYNTAX = Pattern.compile("(\\d{1,7})/([smh])(?::(\\d{1,7}))?");
  private static final int MAX = 1_000_000;

  public RateLimit {
    if (permits < 1 || permits > MAX || burst < 1 || burst > MAX) {
      throw new ConfigException("a rate limit needs 1 to " + MAX + " permits and burst, got " + permits + "/"
          + period + ":" + burst);
    }
  }

  /** The limit written as {@code 100/s:200}, or empty for {@code off}; {@code variable} names it in errors. */
  static Optional<RateLimit> parse(String variable, String spec) {
    if (spec.equals("off")) {
      return Optional.empty();
    }
    Matcher matcher = SYNTAX.matcher(spec);
    if (!matcher.matches()) {
      throw new ConfigException(variable + ": a limit must be like 100/s:200 (per s, m or h; :burst optional) "
          + "or off, got '" + spec + "'");
    }
    int permits = Integer.parseInt(matcher.group(1));
    Duration period = switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      default -> Duration.ofHours(1);
    };
    int burst = matcher.group(3) == null ? permits : Integer.parseInt(matcher.group(3));
    if (permits < 1 || burst < 1 || permits > MAX || burst > MAX) {
      throw new ConfigException(variable + ": permits and burst must be 1 to " + MAX + ", got '" + spec + "'");
    }
    return Optional.of(new RateLimit(permits, period, burst));
  }

  /** The time one token takes to flow in. */
  long intervalNanos() {
    return period.toNanos() / permits;
  }

  /** How long an empty bucket takes to fill: the most a bucket can be "in debt". */
  long capacityNanos() {
    return intervalNanos() * burst;
  }

  /** For people: {@code 100 requests per second, burst 200}. */
  String describe() {
    return permits + " requests per " + unit() + ", burst " + burst;
  }

  private String unit() {
    return period.toHours() == 1 ? "hour" : period.toMinutes() == 1 ? "minute" : "second";
  }

  @Override
  public String toString() {
    return permits + "/" + unit().charAt(0) + ":" + burst;
  }
}

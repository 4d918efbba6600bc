package io.catalogsuite.loadgen;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a run is asked to do, read once from the command line, every value checked.
 *
 * @param gateway     {@code --url}: the gateway, e.g. {@code http://127.0.0.1:8080}
 * @param rate        {@code --rate}: requests per second offered, the Poisson process's rate; with a ramp, the
 *                    estimated capacity the steps are shares of
 * @param duration    {@code --duration}: how long to offer them, e.g. {@code 30s}, {@code 2m}; with a ramp, each
 *                    step's
 * @param ramp        {@code --ramp}: step through offered rates from 10 % to 150 % of {@code rate} and find the
 *                    knee
 * @param steps       {@code --steps}: how many rates the ramp offers, evenly spaced
 * @param p99Target   {@code --p99-target}: the knee is the highest rate whose p99 stays below it, without errors
 * @param connections {@code --connections}: at most this many requests in flight; one due beyond it is dropped
 * @param timeout     {@code --timeout}: a request without an answer this long counts as failed
 * @param mix         {@code --mix}: the operations' weights, e.g. {@code get=70,list=15,search=10,create=5}
 * @param hotSet      {@code --hot-set}: products seeded for the run; gets pick among them with Zipf popularity
 * @param seed        {@code --seed}: the random seed of arrivals and choices (the same seed, the same schedule)
 * @param apiKey      {@code --api-key} or {@code API_KEY}: needed to seed, create and clean up
 * @param report      {@code --report}: the directory the report is written to
 */
record LoadOptions(URI gateway, double rate, Duration duration, boolean ramp, int steps, Duration p99Target,
    int connections, Duration timeout, Map<Operation, Integer> mix, int hotSet, long seed, Optional<String> apiKey,
    String report) {

  static final String USAGE = """
      usage: loadgen --url http://127.0.0.1:8080 [--rate 200] [--duration 30s]
                     [--ramp [--steps 8] [--p99-target 100ms]] [--connections 64] [--timeout 10s]
                     [--mix get=60,list=10,search=10,create=5,reserve=10,import=5] [--hot-set 200] [--seed 1]
                     [--api-key KEY (or API_KEY)] [--report target/load-report]
        --ramp offers --steps rates from 10 % to 150 % of --rate, each for --duration, and reports the knee:
        the highest rate whose p99 stays below --p99-target with no error and nothing dropped.""";

  LoadOptions {
    mix = Map.copyOf(mix);
    if (!(rate > 0) || rate > 1_000_000) {
      throw new IllegalArgumentException("--rate must be above 0 and at most 1,000,000 per second: " + rate);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive: " + duration);
    }
    if (steps < 2 || steps > 50) {
      throw new IllegalArgumentException("--steps must be 2 to 50: " + steps);
    }
    if (p99Target.isNegative() || p99Target.isZero()) {
      throw new IllegalArgumentException("--p99-target must be positive: " + p99Target);
    }
    if (connections < 1 || connections > 100_000) {
      throw new IllegalArgumentException("--connections must be 1 to 100,000: " + connections);
    }
    if (hotSet < 1 || hotSet > 1_000_000) {
      throw new IllegalArgumentException("--hot-set must be 1 to 1,000,000: " + hotSet);
    }
    if (mix.values().stream().mapToInt(Integer::intValue).sum() == 0) {
      throw new IllegalArgumentException("--mix must give some operation a weight above 0");
    }
    if (apiKey.isEmpty() && mix.entrySet().stream().anyMatch(e -> e.getValue() > 0
        && (e.getKey().writes() || e.getKey().needsHotSet()))) {
      throw new IllegalArgumentException("writes, and reads of the seeded hot set, need a key with the write role:"
          + " give --api-key or API_KEY");
    }
  }

  static LoadOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> given = new HashMap<>();
    boolean ramp = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--ramp")) {
        ramp = true;
        continue;
      }
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
      }
      given.put(args[i].substring(2), args[++i]);
    }
    LoadOptions options = new LoadOptions(
        URI.create(required(given, "url")),
        number(given, "rate", "200"),
        duration(given, "duration", ramp ? "10s" : "30s"),
        ramp,
        (int) number(given, "steps", "8"),
        duration(given, "p99-target", "100ms"),
        (int) number(given, "connections", "64"),
        duration(given, "timeout", "10s"),
        mix(given.getOrDefault("mix", "get=60,list=10,search=10,create=5,reserve=10,import=5")),
        (int) number(given, "hot-set", "200"),
        (long) number(given, "seed", "1"),
        Optional.ofNullable(given.getOrDefault("api-key", env.get("API_KEY"))).filter(k -> !k.isBlank()),
        given.getOrDefault("report", "target/load-report"));
    given.keySet().removeAll(Set.of("url", "rate", "duration", "steps", "p99-target", "connections", "timeout",
        "mix", "hot-set", "seed", "api-key", "report"));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", given.keySet()));
    }
    return options;
  }

  /**
   * The rates the run offers, in order: {@code rate} alone, or with a ramp {@code steps} rates evenly spaced from
   * 10 % to 150 % of it.
   */
  List<Double> rates() {
    if (!ramp) {
      return List.of(rate);
    }
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      rates.add(rate * (10 + 140.0 * i / (steps - 1)) / 100); // in percent: round numbers stay round
    }
    return List.copyOf(rates);
  }

  private static String required(Map<String, String> given, String name) {
    String value = given.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  private static double number(Map<String, String> given, String name, String fallback) {
    String value = given.getOrDefault(name, fallback);
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number: '" + value + "'");
    }
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}. */
  static Duration duration(Map<String, String> given, String name, String fallback) {
    String value = given.getOrDefault(name, fallback);
    var matcher = Pattern.compile("(\\d{1,9})(ms|s|m)").matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("--" + name + " must be like 500ms, 30s or 2m: '" + value + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }

  static Map<Operation, Integer> mix(String value) {
    Map<Operation, Integer> weights = new EnumMap<>(Operation.class);
    for (String part : value.split(",")) {
      String[] pair = part.trim().split("=");
      if (pair.length != 2 || !pair[1].matches("\\d{1,6}")) {
        throw new IllegalArgumentException("--mix parts are name=weight: '" + part + "'");
      }
      weights.put(Operation.named(pair[0]), Integer.parseInt(pair[1]));
    }
    return weights;
  }
}

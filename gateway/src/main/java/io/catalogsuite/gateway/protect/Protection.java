package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.ServiceNode;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's protection, as handlers for its route table: {@link #authentication} first (who is it, may it do
 * this), then {@link #rateLimit} (how much), then the body handler and the proxy.
 *
 * <p>The rate limiters are node-wide, shared by every event loop; in the background, idle buckets are dropped
 * and, with the cluster scope, consumption is shared with the other gateways ({@link ClusterUsage}). Both run on
 * worker threads, off the event loops.
 */
public final class Protection {
  /** The rate-limit key of the admin API: {@code RATE_LIMITS=/admin=10/s} limits it. */
  public static final String ADMIN_PREFIX = "/admin";
  private static final Logger log = LoggerFactory.getLogger(Protection.class);
  /** A bucket full for this long is dropped: it holds nothing a new bucket would not. */
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long EVICT_EVERY_MS = 10_000;

  private final ProtectionConfig config;
  /** Per route prefix, for the routes that have a limit. */
  private final Map<String, RateLimiter> limiters = new LinkedHashMap<>();
  private final AuthFailures authFailures;

  /** Fails with a configuration error when {@code RATE_LIMITS} names a prefix that is not a route. */
  public Protection(ProtectionConfig config, List<String> routePrefixes) {
    this.config = config;
    List<String> prefixes = new ArrayList<>(routePrefixes);
    prefixes.add(ADMIN_PREFIX);
    config.rateLimits().requireKnownPrefixes(prefixes);
    this.authFailures = new AuthFailures(config.authFailureLimit());
    for (String prefix : prefixes) {
      config.rateLimits().forPrefix(prefix)
          .ifPresent(limit -> limiters.put(prefix, new RateLimiter(prefix, limit, System::nanoTime)));
    }
  }

  /**
   * Starts the background work: dropping idle buckets and, with the cluster scope, sharing consumption. Completes
   * with what stops it.
   */
  public Future<Runnable> start(ServiceNode node) {
    Vertx vertx = node.vertx();
    List<Long> timers = new ArrayList<>();
    log.info("Protection: API keys {}; bearer tokens {}; rules {}; rate limits {} ({} scope)",
        config.apiKeys().names(), config.jwt().map(Object::toString).orElse("refused (no JWT key configured)"),
        config.policy().rules().size(), limiters.isEmpty() ? "off" : limiters.values().stream()
            .map(limiter -> limiter.route() + "=" + limiter.limit()).collect(Collectors.joining(", ")),
        config.rateLimits().scope().name().toLowerCase(Locale.ROOT));
    if (config.apiKeys().isEmpty() && config.jwt().isEmpty()) {
      log.warn("No API key (GATEWAY_API_KEYS) and no JWT key (JWT_*) configured: only public requests can pass");
    }
    timers.add(vertx.setPeriodic(EVICT_EVERY_MS, new Background(vertx, "evicting idle rate-limit buckets",
        () -> {
          limiters.values().forEach(limiter -> limiter.evictIdle(IDLE_NANOS));
          authFailures.evictIdle(IDLE_NANOS);
        })));
    if (config.rateLimits().scope() == RateLimits.Scope.CLUSTER && !limiters.isEmpty()) {
      ClusterUsage usage = new ClusterUsage(node.cluster().hazelcast().getMap(ClusterUsage.MAP_NAME), node.nodeId(),
          limiters, config.rateLimits().syncIntervalMs());
      timers.add(vertx.setPeriodic(config.rateLimits().syncIntervalMs(),
          new Background(vertx, "sharing rate-limit consumption", usage::sync)));
    }
    return Future.succeededFuture(() -> timers.forEach(vertx::cancelTimer));
  }

  /** Authentication and access rules; one per event loop (see {@link Authenticator}). */
  public Handler<RoutingContext> authentication(Vertx vertx) {
    return new AuthenticationHandler(config.policy(), new Authenticator(vertx, config.apiKeys(), config.jwt()),
        authFailures);
  }

  /** The rate limit of the route with this prefix ({@link #ADMIN_PREFIX} for the admin API), if it has one. */
  public Handler<RoutingContext> rateLimit(String prefix, Counter rejected) {
    RateLimiter limiter = limiters.get(prefix);
    return limiter == null ? RoutingContext::next : new RateLimitHandler(limiter, rejected);
  }

  /**
   * A periodic task run on a worker thread; a tick that finds the previous run still going is skipped. A failure
   * is logged when it starts, not on every tick.
   */
  private static final class Background implements Handler<Long> {
    private final Vertx vertx;
    private final String what;
    private final Runnable task;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean failing;

    Background(Vertx vertx, String what, Runnable task) {
      this.vertx = vertx;
      this.what = what;
      this.task = task;
    }

    @Override
    public void handle(Long timer) {
      if (!running.compareAndSet(false, true)) {
        return;
      }
      vertx.executeBlocking(() -> {
        task.run();
        return null;
      }, false).onComplete(result -> {
        running.set(false);
        if (result.failed() && !failing) {
          log.warn("Failed {}: {}; retrying every tick", what, result.cause().toString());
        } else if (result.succeeded() && failing) {
          log.info("{} works again", what);
        }
        failing = result.failed();
      });
    }
  }
}

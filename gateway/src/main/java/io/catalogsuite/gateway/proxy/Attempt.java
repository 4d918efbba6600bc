package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.discovery.Upstream;

/**
 * One try of an exchange at one instance. From its start until {@link #end} it counts as in flight to the
 * instance (what least-requests and P2C balance on); {@link #end} closes that exactly once, whatever happened.
 * In between it tells the instance's health what came of the try: an answer (a 502, 503 or 504 counts as a
 * failure), a timeout, or no connection at all.
 */
final class Attempt {
  private final Upstream upstream;
  private final Backend backend;
  private final long startNanos = System.nanoTime();
  private boolean ended;

  private Attempt(Upstream upstream, Backend backend) {
    this.upstream = upstream;
    this.backend = backend;
  }

  static Attempt start(Upstream upstream, Backend backend) {
    upstream.started();
    backend.metrics().picked(upstream);
    return new Attempt(upstream, backend);
  }

  Upstream upstream() {
    return upstream;
  }

  /**
   * The instance answered, with {@code status}; the latency counts to its head. Only a 502, 503 or 504 counts as
   * a failure: a 500 is what one client's request can cause, and must not take the instance away from the others.
   */
  void answered(int status) {
    long now = System.nanoTime();
    upstream.timed(now - startNanos, now);
    if (Backend.isGatewayFailure(status)) {
      backend.failed(upstream, System.currentTimeMillis());
    } else {
      upstream.succeeded();
    }
  }

  /** The instance did not answer in time: slow is not dead, it stays healthy, but may be ejected. */
  void timedOut() {
    long now = System.nanoTime();
    upstream.timed(now - startNanos, now);
    backend.failed(upstream, System.currentTimeMillis());
  }

  /** No connection to the instance, or it broke before a response. */
  void unreachable() {
    upstream.unreachable();
    backend.failed(upstream, System.currentTimeMillis());
  }

  /** The try is over: its response relayed or dropped, or it failed. Idempotent. */
  void end() {
    if (!ended) {
      ended = true;
      upstream.finished();
    }
  }
}

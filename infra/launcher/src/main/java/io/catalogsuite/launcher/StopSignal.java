package io.catalogsuite.launcher;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Turns SIGINT (Ctrl-C), SIGTERM ({@code ./suite down}) and SIGHUP into a stop request for the thread that runs
 * the suite: it is interrupted if it is still starting things, and {@link #await()} returns if it is waiting.
 * That thread then stops everything in order and only then lets the JVM exit.
 *
 * <p>Why not a shutdown hook: hooks run concurrently, and the embedded Postgres library registers one of its
 * own, which would stop the database while catalog-service instances are still stopping. {@code sun.misc.Signal}
 * lives in {@code jdk.unsupported}, which the JDK keeps accessible for exactly this (JEP 260). A signal that was
 * ignored when the JVM started (SIGHUP under {@code nohup}) stays ignored.
 */
final class StopSignal {
  private final Thread owner;
  private final CountDownLatch received = new CountDownLatch(1);
  private boolean requested;

  private StopSignal(Thread owner) {
    this.owner = owner;
  }

  /** Handles the stop signals from now on on behalf of {@code owner}. */
  static StopSignal install(Thread owner) {
    StopSignal stop = new StopSignal(owner);
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        Signal.handle(new Signal(name), signal -> stop.request());
      } catch (IllegalArgumentException e) {
        // The JVM keeps this signal for itself (-Xrs); it then ends the JVM without an orderly stop.
      }
    }
    return stop;
  }

  private synchronized void request() {
    if (requested) {
      System.out.println("suite: already stopping; instances still running after "
          + Fleet.STOP_GRACE.toSeconds() + " s are killed");
      return;
    }
    requested = true;
    received.countDown();
    owner.interrupt();
  }

  synchronized boolean requested() {
    return requested;
  }

  /**
   * Called by the owner as it starts stopping, for a signal or not: later signals no longer interrupt it, and an
   * interrupt already delivered is cleared, so stopping can wait for processes to exit.
   */
  synchronized void beginStopping() {
    requested = true;
    Thread.interrupted();
  }

  /** Blocks until a stop signal arrives or {@code timeout} has passed; whether one arrived. */
  boolean await(Duration timeout) throws InterruptedException {
    return received.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}

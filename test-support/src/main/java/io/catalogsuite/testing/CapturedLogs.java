package io.catalogsuite.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * The lines a logger writes while a test runs, with their stack traces. Safe to read while other threads log
 * (logback's own ListAppender is not: reading it while an asynchronous appender adds to it can throw).
 */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final Logger logger;
  private final Queue<String> lines = new ConcurrentLinkedQueue<>();

  private CapturedLogs(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing what {@code loggerName} (and the loggers below it) writes; the root logger: everything. */
  public static CapturedLogs of(String loggerName) {
    CapturedLogs captured = new CapturedLogs((Logger) LoggerFactory.getLogger(loggerName));
    captured.start();
    captured.logger.addAppender(captured);
    return captured;
  }

  /** Everything that is logged. */
  public static CapturedLogs all() {
    return of(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Override
  protected void append(ILoggingEvent event) {
    lines.add(event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())));
  }

  /** What was logged so far, in order. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}

package io.catalogsuite.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One service instance running as its own JVM ({@code java -jar}), its output appended to its log file. */
public final class Instance {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1))
      .build();

  private final InstanceSpec spec;
  private final Process process;
  private final Path log;
  private final long logStart;

  private Instance(InstanceSpec spec, Process process, Path log, long logStart) {
    this.spec = spec;
    this.process = process;
    this.log = log;
    this.logStart = logStart;
  }

  /** Starts {@code java -Xmx256m -jar <jar>} with the spec's environment added to this process's own. */
  static Instance launch(InstanceSpec spec, Path jar, Path logDir) throws IOException {
    Path log = logDir.resolve(spec.name() + ".log");
    long logStart = Logs.begin(log, spec.name());
    ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx256m", "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(spec.env());
    return new Instance(spec, builder.start(), log, logStart);
  }

  /** The java of the JDK running this JVM, so every process of the suite runs on the same one. */
  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String name() {
    return spec.name();
  }

  public ServiceKind service() {
    return spec.service();
  }

  public int port() {
    return spec.httpPort();
  }

  public Path log() {
    return log;
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Whether {@code GET /ready} answers 200 now. */
  public boolean answersReady() throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + SuitePlan.LOOPBACK + ":" + port() + "/ready"))
        .timeout(Duration.ofSeconds(2))
        .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet, or busy starting
    }
  }

  /** Asks the instance to stop gracefully (SIGTERM): it unpublishes itself from discovery, then stops. */
  public void terminate() {
    process.destroy();
  }

  /** Ends the instance at once (SIGKILL), as a crash would, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Freezes the instance (SIGSTOP), as a long GC pause or a stalled VM would: it holds its sockets, does nothing. */
  public void pause() {
    signal("STOP");
  }

  /** Lets a paused instance run again (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  /** Sends a signal with {@code kill}; a signal that cannot be sent is a broken test setup, hence unchecked. */
  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed for " + this);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending " + name + " to " + this, e);
    }
  }

  /** Waits at most {@code timeout} for the process to exit; true when it has. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** The exit code, for an instance that has exited. */
  public int exitCode() {
    return process.exitValue();
  }

  /** The last {@code lines} lines this run wrote to the log, to show why an instance failed. */
  public String logTail(int lines) {
    return Logs.tail(log, logStart, lines);
  }

  @Override
  public String toString() {
    return name() + " (pid " + process.pid() + ", port " + port() + ")";
  }
}

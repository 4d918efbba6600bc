package io.catalogsuite.launcher;

import io.catalogsuite.launcher.SuiteState.Proc;
import io.catalogsuite.launcher.SuiteState.Status;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The launcher behind {@code ./suite}: the whole suite on one machine, every service instance its own JVM.
 *
 * <ul>
 *   <li>{@code up [--cache N] [--catalog N] [--port P] [-d]}: Postgres ({@code PG_URL}, or embedded), then N
 *       cache-service, N catalog-service and one gateway, clustered over loopback; prints the gateway URL once
 *       all are ready. In the foreground it runs until Ctrl-C; with {@code -d} it returns once ready and the
 *       launcher keeps running in the background.
 *   <li>{@code status}: the processes of the running suite, with pid, port and whether each is alive.
 *   <li>{@code down}: stops the running suite, including what a killed launcher left behind.
 * </ul>
 *
 * A running launcher holds a lock on {@code .suite/launcher.lock} and describes itself in {@code .suite/state}
 * ({@link SuiteState}); each process logs to {@code .suite/logs/<name>.log}, which is rotated to
 * {@code <name>.log.1} past {@link Logs#MAX_BYTES} while the suite runs.
 */
public final class Suite {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  /** A detached launcher fails by itself within its own timeouts; this only guards against a hang. */
  private static final Duration DETACHED_READY_TIMEOUT = Duration.ofSeconds(180);
  /** Long enough for the launcher's own orderly stop: the services' grace period, then Postgres. */
  private static final Duration LAUNCHER_STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  /** How often a running suite's logs are looked at for their size (see {@link Logs#rotate}). */
  private static final Duration LOG_CHECK_INTERVAL = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 30;
  /** Begins each line of a start's progress (see {@link #progressLine}). */
  private static final String PROGRESS_PREFIX = "  + ";

  private final Workspace workspace;
  private final PrintStream out;

  Suite(Workspace workspace, PrintStream out) {
    this.workspace = workspace;
    this.out = out;
  }

  public static void main(String[] args) {
    int code;
    try {
      code = new Suite(Workspace.current(), System.out).run(Options.parse(args));
    } catch (Options.UsageException e) {
      System.err.println("suite: " + e.getMessage() + " (see ./suite help)");
      code = 2;
    } catch (LaunchException | IOException e) {
      System.err.println("suite: " + e.getMessage());
      code = 1;
    } catch (InterruptedException e) {
      code = 1;
    }
    System.exit(code);
  }

  int run(Options options) throws LaunchException, IOException, InterruptedException {
    return switch (options.command()) {
      case UP -> options.detach() ? upDetached(options) : up(options);
      case DOWN -> down();
      case STATUS -> status();
    };
  }

  /** Runs the suite in the foreground until a stop signal; returns the exit code. */
  private int up(Options options) throws LaunchException, IOException {
    FileChannel lock = preflight(options);
    try {
      return runUntilStopped(options);
    } finally {
      lock.close();
    }
  }

  private int runUntilStopped(Options options) throws IOException {
    StopSignal stop = StopSignal.install(Thread.currentThread());
    long startedAt = System.nanoTime();
    Fleet fleet = new Fleet(workspace.root(), workspace.logs());
    Database database = null;
    try {
      database = startDatabase();
      SuiteState state = new SuiteState(Proc.of("launcher", ProcessHandle.current(), 0), Status.STARTING,
          "http://" + SuitePlan.LOOPBACK + ":" + options.gatewayPort(),
          "suite-" + UUID.randomUUID().toString().substring(0, 8), database.description(), List.of());
      Optional<ProcessHandle> postmaster = database.postmaster();
      if (postmaster.isPresent()) {
        state = state.with(Proc.of("postgres", postmaster.get(), database.port()));
      }
      state.write(workspace.state());

      out.printf("Starting %d cache-service, %d catalog-service and 1 gateway (logs in %s)...%n",
          options.cacheInstances(), options.catalogInstances(), workspace.show(workspace.logs()));
      // The cluster name shown (state.clusterName()) is a label; the members' is that label and a secret.
      Deployment deployment = new Deployment(
          state.clusterName() + "-" + LocalSecret.loadOrCreate(workspace.clusterSecret()),
          LocalSecret.loadOrCreate(workspace.gatewaySecret()),
          DevApiKey.gatewayApiKeys(LocalSecret.loadOrCreate(workspace.devApiKey())),
          ClusterKeystore.loadOrCreate(workspace.clusterKeystore(), workspace.clusterKeystorePassword()));
      List<InstanceSpec> specs = SuitePlan.instances(options.cacheInstances(), options.catalogInstances(),
          options.gatewayPort(), deployment, database.url(), workspace.data());
      StateRecorder recorder = new StateRecorder(state);
      fleet.start(specs, READY_TIMEOUT, recorder);
      state = recorder.state().with(Status.READY);
      state.write(workspace.state());

      out.print(summary(state, Duration.ofNanos(System.nanoTime() - startedAt), true));
      reportUnexpectedExits(fleet, stop);
      while (!stop.await(LOG_CHECK_INTERVAL)) {
        fleet.rotateLogs(Logs.MAX_BYTES);
      }
      return 0;
    } catch (InterruptedException e) {
      return 0; // the stop signal
    } catch (LaunchException | IOException | UncheckedIOException e) {
      if (stop.requested()) {
        return 0; // a step failed because the stop signal interrupted it
      }
      System.err.println("suite: " + e.getMessage());
      return 1;
    } finally {
      stop.beginStopping();
      out.println("Stopping...");
      fleet.stop(Fleet.STOP_GRACE);
      if (database != null) {
        database.close();
      }
      Files.deleteIfExists(workspace.state());
      out.println("Stopped.");
    }
  }

  /** Writes the state again each time an instance is launched, so a killed launcher's processes can be found. */
  private final class StateRecorder implements Fleet.Progress {
    private SuiteState state;

    StateRecorder(SuiteState state) {
      this.state = state;
    }

    @Override
    public void launched(Instance instance) {
      state = state.with(Proc.of(instance.name(), instance.handle(), instance.port()));
      try {
        state.write(workspace.state());
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write " + workspace.state(), e);
      }
      out.println(progressLine(instance.name() + " started, pid " + instance.handle().pid()
          + ", port " + instance.port()));
    }

    @Override
    public void ready(Instance instance, Duration sinceStart) {
      out.println(progressLine(String.format("%s ready after %.1f s", instance.name(),
          sinceStart.toMillis() / 1000.0)));
    }

    SuiteState state() {
      return state;
    }
  }

  /**
   * Refuses to start over a running suite or its leftovers and checks, before anything starts, what would
   * otherwise fail late. Returns the open lock file, locked until it is closed (or this process ends).
   */
  private FileChannel preflight(Options options) throws LaunchException, IOException {
    Files.createDirectories(workspace.suiteDir());
    // It holds the development API key: the owner's business only.
    Files.setPosixFilePermissions(workspace.suiteDir(), PosixFilePermissions.fromString("rwx------"));
    FileChannel lock = FileChannel.open(workspace.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      if (lock.tryLock() == null) {
        String pid = readState().map(state -> " (launcher pid " + state.launcher().pid() + ")").orElse("");
        throw new LaunchException("A suite is already running" + pid + "; stop it first with ./suite down");
      }
      refuseLeftovers();
      new Fleet(workspace.root(), workspace.logs()).requireJars();
      if (!Ports.isFree(options.gatewayPort())) {
        throw new LaunchException("Port " + options.gatewayPort()
            + " is in use; choose another gateway port with --port");
      }
      return lock;
    } catch (LaunchException | IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** A state file without a live launcher is from a launcher that was killed: what it started may still run. */
  private void refuseLeftovers() throws LaunchException, IOException {
    Optional<SuiteState> previous = readState();
    if (previous.isEmpty()) {
      return;
    }
    String alive = previous.get().processes().stream()
        .filter(process -> process.alive().isPresent())
        .map(process -> process.name() + " (pid " + process.pid() + ")")
        .collect(Collectors.joining(", "));
    if (!alive.isEmpty()) {
      throw new LaunchException("A previous suite left processes running: " + alive
          + "; stop them with ./suite down");
    }
    Files.delete(workspace.state());
  }

  private Database startDatabase() throws LaunchException {
    String pgUrl = System.getenv("PG_URL");
    if (pgUrl != null && !pgUrl.isBlank()) {
      return Database.external(pgUrl.trim());
    }
    out.println("Starting embedded Postgres (data in " + workspace.show(workspace.postgresData()) + ")...");
    return Database.embedded(workspace.postgresData(), workspace.log("postgres"));
  }

  private void reportUnexpectedExits(Fleet fleet, StopSignal stop) {
    for (Instance instance : fleet.instances()) {
      instance.handle().onExit().thenRun(() -> {
        if (!stop.requested()) {
          System.err.printf("suite: %s exited unexpectedly (code %d); see %s. The rest keeps running.%n",
              instance.name(), instance.exitCode(), workspace.show(instance.log()));
        }
      });
    }
  }

  /**
   * Starts a foreground launcher in the background (under {@code nohup}, so closing the terminal does not stop
   * it), waits until it reports the suite ready in the state file, and returns.
   */
  private int upDetached(Options options) throws LaunchException, IOException, InterruptedException {
    // Checked here too, so the common mistakes get a clear message instead of a failed background start.
    preflight(options).close();
    long startedAt = System.nanoTime();
    Path log = workspace.log("launcher");
    long logStart = Logs.begin(log, "launcher");
    List<String> command = new ArrayList<>(List.of("nohup", Instance.javaCommand(),
        "-cp", System.getProperty("java.class.path"), Suite.class.getName()));
    command.addAll(options.foregroundUpArgs());
    Process launcher = new ProcessBuilder(command)
        .directory(workspace.root().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    out.printf("Starting the suite in the background (launcher pid %d, log %s)...%n",
        launcher.pid(), workspace.show(log));

    long deadline = startedAt + DETACHED_READY_TIMEOUT.toNanos();
    long echoed = logStart;
    while (true) {
      Optional<SuiteState> state = readState();
      // Read after the state: the launcher prints an instance's progress before it records the suite ready.
      Logs.Lines lines = Logs.linesSince(log, echoed);
      lines.lines().stream().filter(line -> line.startsWith(PROGRESS_PREFIX)).forEach(out::println);
      echoed = lines.next();
      if (state.isPresent() && state.get().launcher().pid() == launcher.pid()
          && state.get().status() == Status.READY) {
        out.print(summary(state.get(), Duration.ofNanos(System.nanoTime() - startedAt), false));
        return 0;
      }
      if (!launcher.isAlive()) {
        System.err.println("suite: the suite did not start. The end of " + workspace.show(log) + ":\n"
            + Logs.tail(log, logStart, LOG_TAIL_LINES));
        return 1;
      }
      if (System.nanoTime() - deadline > 0) {
        System.err.println("suite: the suite is not ready after " + DETACHED_READY_TIMEOUT.toSeconds()
            + " s; see " + workspace.show(log) + ", and stop it with ./suite down");
        return 1;
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /**
   * Stops the running suite: SIGTERM to the launcher, which stops everything in order; then whatever is still
   * running of what the state lists, which is everything when the launcher itself was killed.
   */
  private int down() throws IOException, InterruptedException {
    Optional<SuiteState> found = readState();
    if (found.isEmpty()) {
      out.println("No suite is running.");
      return 0;
    }
    SuiteState state = found.get();
    Optional<ProcessHandle> launcher = state.launcher().alive();
    if (launcher.isPresent()) {
      out.println("Stopping the suite (launcher pid " + state.launcher().pid() + ")...");
      launcher.get().destroy();
      if (!awaitExit(launcher.get(), LAUNCHER_STOP_TIMEOUT)) {
        out.println("The launcher did not stop within " + LAUNCHER_STOP_TIMEOUT.toSeconds() + " s; killing it.");
        launcher.get().destroyForcibly();
      }
    } else {
      out.println("The launcher is gone; stopping what it left running...");
    }
    stopLeftovers(state);
    Files.deleteIfExists(workspace.state());
    out.println("Stopped.");
    return 0;
  }

  /** Newest first, like the launcher: the gateway, catalog, cache, and Postgres last. */
  private void stopLeftovers(SuiteState state) throws InterruptedException {
    List<Proc> newestFirst = new ArrayList<>(state.processes());
    Collections.reverse(newestFirst);
    long deadline = System.nanoTime() + Fleet.STOP_GRACE.toNanos();
    for (Proc process : newestFirst) {
      Optional<ProcessHandle> handle = process.alive();
      if (handle.isEmpty()) {
        continue;
      }
      out.println("  stopping " + process.name() + " (pid " + process.pid() + ")");
      handle.get().destroy();
      if (!awaitExit(handle.get(), Duration.ofNanos(deadline - System.nanoTime()))) {
        out.println("  killing " + process.name());
        handle.get().destroyForcibly();
      }
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
    try {
      process.onExit().get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    }
  }

  /** Prints what the state lists, with each process's liveness now; exit code 0 only if the launcher runs. */
  private int status() throws IOException {
    Optional<SuiteState> found = readState();
    if (found.isEmpty()) {
      out.println("No suite is running (start one with ./suite up).");
      return 1;
    }
    SuiteState state = found.get();
    boolean running = state.launcher().alive().isPresent();
    out.printf("Catalog Suite: %s; launcher pid %d %s%n", state.status().name().toLowerCase(Locale.ROOT),
        state.launcher().pid(), running ? "running" : "GONE (./suite down stops what it left)");
    out.printf("  Gateway   %s%n  Cluster   %s%n  Database  %s%n%n", state.gatewayUrl(), state.clusterName(),
        state.database());
    out.print(table(state));
    return running ? 0 : 1;
  }

  /**
   * A line of the start's progress: printed by the launcher, and echoed by a detached {@code ./suite up} from
   * the launcher's log, which tells these lines by their prefix.
   */
  static String progressLine(String text) {
    return PROGRESS_PREFIX + text;
  }

  /** What `./suite up` prints once the suite is ready. */
  String summary(SuiteState state, Duration elapsed, boolean foreground) {
    return String.format("%nCatalog Suite is ready after %d s: %s%n%n", elapsed.toSeconds(), state.gatewayUrl())
        + table(state)
        + String.format("%n  Database  %s%n", state.database())
        + String.format("  Logs      %s/<name>.log%n", workspace.show(workspace.logs()))
        // The key itself is never printed: a detached launcher's output is its log, and a log is no place for it.
        + String.format("  API key   in %s (roles admin, write)%n", workspace.show(workspace.devApiKey()))
        + String.format("  Try       curl -H \"X-API-Key: $(cat %s)\" %s/admin/services%n",
            workspace.show(workspace.devApiKey()), state.gatewayUrl())
        + String.format("  Status    ./suite status%n")
        + String.format("  Stop      %s%n", foreground ? "Ctrl-C (or ./suite down from another terminal)" : "./suite down");
  }

  private static String table(SuiteState state) {
    String row = "  %-12s %8s %6s  %s%n";
    StringBuilder table = new StringBuilder(String.format(row, "NAME", "PID", "PORT", "STATE"));
    for (Proc process : state.processes()) {
      table.append(String.format(row, process.name(), process.pid(), process.port(),
          process.alive().isPresent() ? "alive" : "not running"));
    }
    return table.toString();
  }

  private Optional<SuiteState> readState() throws IOException {
    return SuiteState.read(workspace.state());
  }
}

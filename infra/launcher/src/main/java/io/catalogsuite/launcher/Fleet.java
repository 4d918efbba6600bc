package io.catalogsuite.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The service processes of one suite: started in waves that each wait for readiness, stopped in reverse order.
 * {@code ./suite up} and the end-to-end test both run the suite through this class, so they run it the same way.
 */
public final class Fleet {
  /** How long stopping waits for instances to exit gracefully before killing what is left. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  private static final int LOG_TAIL_LINES = 30;

  private final Path projectRoot;
  private final Path logDir;
  private final List<Instance> instances = new ArrayList<>();

  /** A fleet running the jars built under {@code projectRoot}, writing each instance's log to {@code logDir}. */
  public Fleet(Path projectRoot, Path logDir) {
    this.projectRoot = projectRoot;
    this.logDir = logDir;
  }

  /** Checks that every service's jar has been built, before anything starts. */
  public void requireJars() throws LaunchException {
    for (ServiceKind service : ServiceKind.values()) {
      Path jar = service.jar(projectRoot);
      if (!Files.isRegularFile(jar)) {
        throw new LaunchException("Missing " + projectRoot.relativize(jar)
            + ": build the services first (./mvnw -DskipTests package)");
      }
    }
  }

  /** What a start tells as it goes. */
  public interface Progress {
    /** Tells nothing. */
    Progress NONE = new Progress() {
      @Override
      public void launched(Instance instance) {
      }

      @Override
      public void ready(Instance instance, Duration sinceStart) {
      }
    };

    /** The process exists (it is not ready yet). */
    void launched(Instance instance);

    /** It answered 200 on {@code /ready}, {@code sinceStart} after the fleet's start began. */
    void ready(Instance instance, Duration sinceStart);
  }

  /** {@link #start(List, Duration, Progress)}, telling nothing. */
  public void start(List<InstanceSpec> specs, Duration timeout) throws LaunchException, InterruptedException {
    start(specs, timeout, Progress.NONE);
  }

  /**
   * Starts the instances and returns once every one answers 200 on {@code /ready}. Fails as soon as one exits,
   * or when {@code timeout} has passed, with the end of the failing instance's log; instances already started
   * keep running until {@link #stop}. {@code progress} hears of each process as soon as it exists, and as soon
   * as it is ready.
   */
  public void start(List<InstanceSpec> specs, Duration timeout, Progress progress)
      throws LaunchException, InterruptedException {
    long begun = System.nanoTime();
    long deadline = begun + timeout.toNanos();
    for (List<InstanceSpec> wave : waves(specs)) {
      List<Instance> started = new ArrayList<>();
      for (InstanceSpec spec : wave) {
        Instance instance = launch(spec);
        started.add(instance);
        progress.launched(instance);
      }
      awaitReady(started, deadline, timeout, instance ->
          progress.ready(instance, Duration.ofNanos(System.nanoTime() - begun)));
    }
  }

  /**
   * The start order in waves: the first instance alone, then the rest of each service together, cache first,
   * then catalog, then the gateway. The first member starts alone because members that start at the same moment
   * can each found a cluster of their own; once one exists, the others join it. Each service waits for the one
   * before it: catalog-service reads through the cache, and the gateway is only ready once it sees both.
   */
  static List<List<InstanceSpec>> waves(List<InstanceSpec> specs) {
    if (specs.isEmpty()) {
      return List.of();
    }
    List<List<InstanceSpec>> waves = new ArrayList<>();
    waves.add(List.of(specs.get(0)));
    specs.stream().skip(1)
        .collect(Collectors.groupingBy(InstanceSpec::service, LinkedHashMap::new, Collectors.toList()))
        .values()
        .forEach(waves::add);
    return waves;
  }

  private Instance launch(InstanceSpec spec) throws LaunchException {
    try {
      Instance instance = Instance.launch(spec, spec.service().jar(projectRoot), logDir);
      instances.add(instance);
      return instance;
    } catch (IOException e) {
      throw new LaunchException("Could not start " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  private static void awaitReady(List<Instance> wave, long deadline, Duration timeout, Consumer<Instance> ready)
      throws LaunchException, InterruptedException {
    Set<Instance> pending = new LinkedHashSet<>(wave);
    while (true) {
      for (Instance instance : List.copyOf(pending)) {
        if (!instance.isAlive()) {
          throw new LaunchException(instance.name() + " exited with code " + instance.exitCode()
              + " before it was ready. The end of " + instance.log() + ":\n" + instance.logTail(LOG_TAIL_LINES));
        }
        if (instance.answersReady()) {
          pending.remove(instance);
          ready.accept(instance);
        }
      }
      if (pending.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        Instance first = pending.iterator().next();
        throw new LaunchException(pending.stream().map(Instance::name).collect(Collectors.joining(", "))
            + " not ready after " + timeout.toSeconds() + " s. The end of " + first.log() + ":\n"
            + first.logTail(LOG_TAIL_LINES));
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** Rotates each instance's log that has grown past {@code maxBytes}, and says so (see {@link Logs#rotate}). */
  void rotateLogs(long maxBytes) {
    for (Instance instance : instances()) {
      try {
        if (Logs.rotate(instance.log(), maxBytes)) {
          System.out.printf("suite: %s passed %d MB; what it held is now %s%n", instance.log().getFileName(),
              maxBytes / (1024 * 1024), Logs.previous(instance.log()).getFileName());
        }
      } catch (IOException e) {
        System.err.printf("suite: could not rotate %s: %s%n", instance.log(), e.getMessage());
      }
    }
  }

  /** The instances started so far, in start order. */
  public List<Instance> instances() {
    return List.copyOf(instances);
  }

  public Optional<Instance> instance(String name) {
    return instances.stream().filter(instance -> instance.name().equals(name)).findFirst();
  }

  /**
   * Stops every instance: one service at a time in reverse start order (gateway, catalog, cache), each by
   * SIGTERM, so an instance leaves discovery before the ones it depends on go. What is still running when
   * {@code grace} is over is killed. Interrupted, it kills what is left at once.
   */
  public void stop(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    List<Instance> newestFirst = new ArrayList<>(instances);
    Collections.reverse(newestFirst);
    Collection<List<Instance>> byService = newestFirst.stream()
        .collect(Collectors.groupingBy(Instance::service, LinkedHashMap::new, Collectors.toList()))
        .values();
    try {
      for (List<Instance> service : byService) {
        service.forEach(Instance::terminate);
        for (Instance instance : service) {
          instance.awaitExit(Duration.ofNanos(deadline - System.nanoTime()));
        }
      }
      for (Instance instance : newestFirst) {
        if (instance.isAlive()) {
          instance.kill();
        }
      }
    } catch (InterruptedException e) {
      newestFirst.forEach(instance -> instance.handle().destroyForcibly());
      Thread.currentThread().interrupt();
    }
  }
}

package io.catalogsuite.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a running launcher leaves in {@code .suite/state} for {@code status} and {@code down}: its own process,
 * whether the suite is ready, and every process it started (embedded Postgres, then each instance, in start
 * order) with its port. One line per fact, for example:
 *
 * <pre>
 * launcher 4242 1732195200123
 * status ready
 * gateway http://127.0.0.1:8080
 * cluster suite-1f2e3d4c
 * database embedded Postgres at postgresql://postgres@localhost:45678/catalog, data in /home/me/catalog-suite/.suite/postgres
 * process postgres 4250 1732195201456 45678
 * process cache-1 4260 1732195203789 40123
 * </pre>
 *
 * Processes carry their start time as well as their pid, so a pid the OS has since given to another program is
 * never mistaken for one of the suite's.
 */
record SuiteState(Proc launcher, Status status, String gatewayUrl, String clusterName, String database,
    List<Proc> processes) {

  enum Status { STARTING, READY }

  SuiteState {
    processes = List.copyOf(processes);
  }

  /** A process the suite started, identified by pid and start time. */
  record Proc(String name, long pid, long startMillis, int port) {

    static Proc of(String name, ProcessHandle handle, int port) {
      // Read from the OS, like alive() later does, so both sides compute it the same way.
      long start = handle.info().startInstant().map(instant -> instant.toEpochMilli()).orElse(0L);
      return new Proc(name, handle.pid(), start, port);
    }

    /** The process, if it is still running and is still the same process. */
    Optional<ProcessHandle> alive() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(handle -> startMillis == 0 || handle.info().startInstant()
              .map(start -> Math.abs(start.toEpochMilli() - startMillis) < 1_000)
              .orElse(true));
    }
  }

  SuiteState with(Proc process) {
    List<Proc> more = new ArrayList<>(processes);
    more.add(process);
    return new SuiteState(launcher, status, gatewayUrl, clusterName, database, more);
  }

  SuiteState with(Status newStatus) {
    return new SuiteState(launcher, newStatus, gatewayUrl, clusterName, database, processes);
  }

  /** Replaces the file in one move, so a concurrent {@code status} never reads half of it. */
  void write(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# Catalog Suite launcher state: written by ./suite up, read by ./suite status and ./suite down");
    lines.add("launcher " + launcher.pid() + " " + launcher.startMillis());
    lines.add("status " + status.name().toLowerCase(Locale.ROOT));
    lines.add("gateway " + gatewayUrl);
    lines.add("cluster " + clusterName);
    lines.add("database " + database);
    for (Proc process : processes) {
      lines.add("process " + process.name() + " " + process.pid() + " " + process.startMillis() + " " + process.port());
    }
    Files.createDirectories(file.getParent());
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(temporary, lines);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The state in {@code file}, or empty when there is none. */
  static Optional<SuiteState> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Proc launcher = null;
    Status status = Status.STARTING;
    String gateway = "";
    String cluster = "";
    String database = "";
    List<Proc> processes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String[] fields = line.split(" ", 2);
      if (line.startsWith("#") || fields.length < 2) {
        continue;
      }
      String value = fields[1];
      switch (fields[0]) {
        case "launcher" -> launcher = proc("launcher " + value + " 0");
        case "status" -> status = Status.valueOf(value.toUpperCase(Locale.ROOT));
        case "gateway" -> gateway = value;
        case "cluster" -> cluster = value;
        case "database" -> database = value;
        case "process" -> processes.add(proc(value));
        default -> { } // not one this launcher writes; ignored
      }
    }
    if (launcher == null) {
      throw new IOException(file + " names no launcher");
    }
    return Optional.of(new SuiteState(launcher, status, gateway, cluster, database, processes));
  }

  private static Proc proc(String fields) throws IOException {
    String[] parts = fields.trim().split(" ");
    try {
      return new Proc(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), Integer.parseInt(parts[3]));
    } catch (RuntimeException e) {
      throw new IOException("Unreadable process line in the suite state: '" + fields + "'", e);
    }
  }
}

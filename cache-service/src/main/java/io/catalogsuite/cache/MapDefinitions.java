package io.catalogsuite.cache;

import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import io.catalogsuite.cache.CacheConfig.MapSettings;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.http.FieldError;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache maps an admin defines at runtime ({@code PUT /maps/{name}}), kept in two places:
 *
 * <ul>
 *   <li>in the cluster, in the map {@value #REGISTRY} (on the cache-service members, with a backup), which decides
 *       between racing definitions of one name: the first one stored wins, a different one later is a conflict;
 *   <li>in each cache-service member's {@code CACHE_DEFINITIONS_FILE}, rewritten whenever the registry gains a
 *       definition, so that the definitions outlive a restart of the whole cluster. A member that starts puts its
 *       file's definitions into the registry (unless the running cluster already has another for the name, which
 *       then wins) and defines every map of the registry.
 * </ul>
 *
 * A definition never changes once made: Hazelcast cannot change a map's configuration while the cluster runs.
 * Each member keeps a copy of the registry, updated by its events, so serving a request needs no remote call.
 */
final class MapDefinitions {
  /** Where the cluster keeps the definitions. Its name cannot be defined through the API (it holds a dot). */
  static final String REGISTRY = "cache-service.map-definitions";
  /** A name the API accepts: lowercase letters, digits and '-', starting with a letter or a digit. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  static final MapSettings DEFAULTS = new MapSettings(EvictionPolicy.LRU, 8, 0, 1);
  private static final Set<String> FIELDS = Set.of("evictionPolicy", "maxMbPerMember", "ttlSeconds",
      "backupCount");
  private static final Logger log = LoggerFactory.getLogger(MapDefinitions.class);

  /** What {@link #define} did. */
  enum Outcome { CREATED, ALREADY_DEFINED }

  private final Vertx vertx;
  private final Path file;
  private final Consumer<MapDefinition> configure;
  private final IMap<String, String> registry;
  private final ConcurrentMap<String, MapSettings> known = new ConcurrentHashMap<>();
  private final WorkerExecutor fileWriter;

  /** {@code configure} adds a map's configuration to the cluster (a Hazelcast call that blocks). */
  MapDefinitions(Vertx vertx, HazelcastInstance hazelcast, Path file, Consumer<MapDefinition> configure) {
    this.vertx = vertx;
    this.file = file;
    this.configure = configure;
    this.registry = hazelcast.getMap(REGISTRY);
    // One thread: the file is rewritten in order, each time with every definition known then.
    this.fileWriter = vertx.createSharedWorkerExecutor("cache-definitions-file", 1);
  }

  /** A map's name and settings. */
  record MapDefinition(String name, MapSettings settings) {
  }

  /** Loads the file into the registry, defines every map of the registry and follows it from now on. */
  Future<Void> load() {
    return vertx.executeBlocking(() -> {
      registry.addEntryListener((EntryAddedListener<String, String>) event -> {
        known.put(event.getKey(), parseStored(event.getValue()));
        writeFile().onFailure(e -> log.error("Could not keep the map definitions in {}", file, e));
      }, true);
      for (MapDefinition saved : readFile()) {
        String previous = registry.putIfAbsent(saved.name(), saved.settings().toJson().encode());
        if (previous != null && !parseStored(previous).equals(saved.settings())) {
          log.warn("The cluster defines the map '{}' as {}, {} as {}: the cluster's definition stays",
              saved.name(), previous, file, saved.settings().toJson().encode());
        }
      }
      registry.forEach((name, stored) -> known.put(name, parseStored(stored)));
      known.forEach((name, settings) -> configure.accept(new MapDefinition(name, settings)));
      return null;
    }).compose(v -> writeFile());
  }

  /** The settings of a map defined at runtime, if this member knows of it. */
  Optional<MapSettings> local(String name) {
    return Optional.ofNullable(known.get(name));
  }

  /**
   * The settings of a map defined at runtime: this member's copy, or the registry's for a definition made so
   * recently that its event has not arrived here yet.
   */
  Future<Optional<MapSettings>> find(String name) {
    MapSettings settings = known.get(name);
    if (settings != null || !NAME.matcher(name).matches()) {
      return Future.succeededFuture(Optional.ofNullable(settings));
    }
    return HazelcastFutures.on(vertx.getOrCreateContext(), registry.getAsync(name))
        .map(stored -> Optional.ofNullable(stored).map(MapDefinitions::parseStored));
  }

  /** Every map defined at runtime, by name. */
  SortedMap<String, MapSettings> all() {
    return new TreeMap<>(known);
  }

  /**
   * Defines a map for the whole cluster, and keeps it in this member's file before the future completes. Defining
   * it again with the same settings changes nothing; with other settings it is a 409 problem.
   */
  Future<Outcome> define(MapDefinition definition) {
    MapSettings existing = known.get(definition.name());
    if (existing != null) {
      return Future.succeededFuture(sameOrConflict(definition, existing));
    }
    return vertx.executeBlocking(() -> {
      String stored = registry.putIfAbsent(definition.name(), definition.settings().toJson().encode());
      if (stored != null) {
        return sameOrConflict(definition, parseStored(stored));
      }
      configure.accept(definition);
      known.put(definition.name(), definition.settings());
      return Outcome.CREATED;
    }, false).compose(outcome -> outcome == Outcome.CREATED ? writeFile().map(outcome)
        : Future.succeededFuture(outcome));
  }

  private static Outcome sameOrConflict(MapDefinition wanted, MapSettings existing) {
    if (existing.equals(wanted.settings())) {
      return Outcome.ALREADY_DEFINED;
    }
    throw ProblemException.conflict("the map '" + wanted.name() + "' is defined as "
        + existing.toJson().encode() + "; a map's definition cannot change");
  }

  /**
   * A map's settings from a request body or the file: any of {@code evictionPolicy} ({@code LRU} or {@code LFU}),
   * {@code maxMbPerMember}, {@code ttlSeconds} and {@code backupCount}, each defaulting to {@link #DEFAULTS}.
   * Anything else, or a value out of range, is a 400 problem naming the field.
   */
  static MapSettings settings(JsonObject json) {
    List<FieldError> errors = new ArrayList<>();
    for (String field : json.fieldNames()) {
      if (field.equals("maxSizePerMember")) {
        errors.add(new FieldError(field, "no longer accepted: a map is bounded by memory, maxMbPerMember"));
      } else if (!FIELDS.contains(field)) {
        errors.add(new FieldError(field, "unknown field; a map's settings are " + FIELDS));
      }
    }
    EvictionPolicy eviction = DEFAULTS.eviction();
    Object policy = json.getValue("evictionPolicy");
    if (policy != null) {
      String upper = policy instanceof String text ? text.toUpperCase(Locale.ROOT) : "";
      if (upper.equals("LRU") || upper.equals("LFU")) {
        eviction = EvictionPolicy.valueOf(upper);
      } else {
        errors.add(new FieldError("evictionPolicy", "must be \"LRU\" or \"LFU\""));
      }
    }
    int maxMb = integer(json, "maxMbPerMember", DEFAULTS.maxMbPerMember(), 1, CacheConfig.MAX_MB_PER_MEMBER,
        errors);
    int ttl = integer(json, "ttlSeconds", DEFAULTS.ttlSeconds(), 0, CacheApi.MAX_TTL_SECONDS, errors);
    int backups = integer(json, "backupCount", DEFAULTS.backups(), 0, CacheConfig.MAX_BACKUPS, errors);
    if (!errors.isEmpty()) {
      throw ProblemException.invalid(errors);
    }
    return new MapSettings(eviction, maxMb, ttl, backups);
  }

  private static int integer(JsonObject json, String field, int absent, int min, int max, List<FieldError> errors) {
    Object value = json.getValue(field);
    if (value == null) {
      return absent;
    }
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= min
        && ((Number) value).longValue() <= max) {
      return ((Number) value).intValue();
    }
    errors.add(new FieldError(field, "must be an integer from " + min + " to " + max));
    return absent;
  }

  /** A definition the registry holds, as this class wrote it. */
  private static MapSettings parseStored(String json) {
    return settings(new JsonObject(json));
  }

  /**
   * The file's definitions; none when there is no file yet. A file that cannot be read, or a place where it
   * could not be written, stops the start: better than a definition the cluster holds and the file misses.
   */
  private List<MapDefinition> readFile() {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + ": its directory cannot be made: " + e);
    }
    if (!Files.isWritable(dir) || Files.exists(file) && !Files.isWritable(file)) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + " cannot be written by this process");
    }
    if (!Files.exists(file)) {
      return List.of();
    }
    List<MapDefinition> definitions = new ArrayList<>();
    try {
      JsonObject maps = new JsonObject(Files.readString(file)).getJsonObject("maps", new JsonObject());
      for (Map.Entry<String, Object> entry : maps) {
        if (!NAME.matcher(entry.getKey()).matches() || !(entry.getValue() instanceof JsonObject settings)) {
          throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + ": '" + entry.getKey()
              + "' is not a map name with its settings");
        }
        definitions.add(new MapDefinition(entry.getKey(), settings(settings)));
      }
    } catch (IOException e) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + " cannot be read: " + e.getMessage());
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + " is not {\"maps\": {name: settings}}");
    } catch (ProblemException e) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE " + file + ": " + e.toJson().getValue("errors"));
    }
    return definitions;
  }

  /**
   * Writes every definition known then to a new file that replaces the old one in one step. Writes run one at a
   * time, in order, so a later file never holds fewer definitions than an earlier one.
   */
  private Future<Void> writeFile() {
    return fileWriter.executeBlocking(() -> {
      if (known.isEmpty() && !Files.exists(file)) {
        return null; // nothing to keep yet
      }
      JsonObject maps = new JsonObject();
      all().forEach((name, settings) -> maps.put(name, settings.toJson()));
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path next = Files.createTempFile(dir, file.getFileName().toString(), ".next");
      Files.writeString(next, new JsonObject().put("maps", maps).encodePrettily());
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return null;
    });
  }

  void close() {
    fileWriter.close();
  }
}

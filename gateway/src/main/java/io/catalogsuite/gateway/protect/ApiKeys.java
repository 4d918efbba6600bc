package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys the gateway accepts ({@code GATEWAY_API_KEYS}), each with a name and roles.
 *
 * <p>Only the SHA-256 of each key is kept, so a heap dump or a stray {@code toString} reveals no key. A presented
 * key is hashed and compared with every stored hash in constant time, and the loop never stops early: how long a
 * check takes says nothing about how close a guess was, or which key matched.
 */
public final class ApiKeys {
  static final String VARIABLE = "GATEWAY_API_KEYS";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  /** Printable ASCII without the variable's separators; at least 16 characters, so not guessable. */
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E&&[^:,]]{16,512}");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private record Entry(byte[] hash, Principal principal) {
  }

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses {@code name:key:roles} entries, roles separated by {@code |} and possibly none
   * ({@code ci:<key>:admin|write}, {@code reader:<key>:}). Error messages name an entry by its name or position,
   * never by its key.
   */
  static ApiKeys parse(List<String> specs) {
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      String[] parts = specs.get(i).split(":", -1);
      if (parts.length != 3) {
        throw new ConfigException(VARIABLE + ": entry " + (i + 1) + " must be name:key:roles (roles may be empty)");
      }
      String name = parts[0].trim();
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(VARIABLE + ": entry " + (i + 1)
            + " needs a name of 1-64 letters, digits or . _ @ -");
      }
      if (!names.add(name)) {
        throw new ConfigException(VARIABLE + ": the name '" + name + "' is used twice");
      }
      if (!KEY.matcher(parts[1].trim()).matches()) {
        throw new ConfigException(VARIABLE + ": the key of '" + name
            + "' must be 16-512 printable characters without spaces, ':' or ','");
      }
      byte[] hash = sha256(parts[1].trim());
      if (entries.stream().anyMatch(entry -> MessageDigest.isEqual(entry.hash(), hash))) {
        throw new ConfigException(VARIABLE + ": the key of '" + name + "' is also another entry's key");
      }
      entries.add(new Entry(hash, new Principal(name, roles(name, parts[2]))));
    }
    return new ApiKeys(entries);
  }

  private static Set<String> roles(String name, String spec) {
    Set<String> roles = new HashSet<>();
    for (String role : spec.split("\\|")) {
      String trimmed = role.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!ROLE.matcher(trimmed).matches()) {
        throw new ConfigException(VARIABLE + ": a role of '" + name + "' must be 1-64 letters, digits or . _ -");
      }
      roles.add(trimmed);
    }
    return roles;
  }

  /** The principal whose key this is, if any. */
  Optional<Principal> verify(String presented) {
    byte[] hash = sha256(presented);
    Principal match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), hash)) { // constant time for equal lengths, and hashes are
        match = entry.principal();
      }
    }
    return Optional.ofNullable(match);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Each key's name and roles, never the key: for /admin/config. */
  JsonArray describe() {
    JsonArray keys = new JsonArray();
    entries.forEach(entry -> keys.add(new JsonObject().put("name", entry.principal().id())
        .put("roles", new JsonArray(entry.principal().roles().stream().sorted().toList()))));
    return keys;
  }

  /** The names of the keys, for the start log. */
  List<String> names() {
    return entries.stream().map(entry -> entry.principal().id()).toList();
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys" + names();
  }
}

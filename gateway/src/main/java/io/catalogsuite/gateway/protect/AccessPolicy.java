package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which requests need which credential ({@code GATEWAY_AUTH_RULES}): rules of the form
 * {@code METHODS PATH=REQUIREMENT}, comma-separated, the first matching rule wins.
 *
 * <ul>
 *   <li>{@code METHODS}: {@code *} or methods separated by {@code |}, e.g. {@code GET|HEAD|OPTIONS}
 *   <li>{@code PATH}: an exact path ({@code /admin/services}), or a prefix and everything below it
 *       ({@code /api/**}; {@code /**} is every path); a segment {@code *} stands for any one segment
 *       ({@code /api/cache/maps/*} is {@code /api/cache/maps/sessions}, not {@code /api/cache/maps/sessions/entries})
 *   <li>{@code REQUIREMENT}: {@code public} (no credential needed), {@code authenticated} (any valid credential),
 *       or roles separated by {@code |}, any one of which suffices ({@code write|admin})
 * </ul>
 *
 * A request that no rule matches needs the {@code admin} role: the policy is closed unless a rule opens it.
 */
public final class AccessPolicy {
  static final String VARIABLE = "GATEWAY_AUTH_RULES";
  /**
   * Reads of the API are public, writes need {@code write} or {@code admin}; defining a cache map, and the admin
   * API, need {@code admin}.
   */
  static final String DEFAULT_RULES = "GET|HEAD|OPTIONS /api/**=public, PUT /api/cache/maps/*=admin,"
      + " * /api/**=write|admin, * /admin/**=admin";
  private static final Requirement UNMATCHED = Requirement.anyOf(Set.of("admin"));
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
      "TRACE", "CONNECT");
  private static final Pattern PATH = Pattern.compile("(/([A-Za-z0-9._~-]+|\\*))*(/\\*\\*)?|/");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * What a request needs: nothing ({@link #isPublic()}), or a valid credential with one of {@code roles}
   * (any credential when {@code roles} is empty).
   */
  public record Requirement(boolean isPublic, Set<String> roles) {
    static final Requirement PUBLIC = new Requirement(true, Set.of());
    static final Requirement AUTHENTICATED = new Requirement(false, Set.of());

    public Requirement {
      roles = Collections.unmodifiableSet(new LinkedHashSet<>(roles)); // in configured order, for messages
    }

    static Requirement anyOf(Set<String> roles) {
      return new Requirement(false, roles);
    }

    boolean allows(Principal principal) {
      return isPublic || roles.isEmpty() || principal.roles().stream().anyMatch(roles::contains);
    }

    @Override
    public String toString() {
      return isPublic ? "public" : roles.isEmpty() ? "authenticated" : String.join("|", roles);
    }
  }

  /**
   * One rule: {@code methods} empty means every method; {@code prefix} means the path and all below it; a
   * segment {@code *} of {@code path} matches any one non-empty segment.
   */
  record Rule(Set<HttpMethod> methods, String path, boolean prefix, Requirement requirement) {
    boolean matches(HttpMethod method, String requestPath) {
      if (!methods.isEmpty() && !methods.contains(method)) {
        return false;
      }
      // Segment by segment, without allocating: this runs for every request.
      int p = 0;
      int r = 0;
      while (p < path.length()) {
        if (r >= requestPath.length() || requestPath.charAt(r) != '/') {
          return false;
        }
        p++;
        r++;
        int patternEnd = segmentEnd(path, p);
        int requestEnd = segmentEnd(requestPath, r);
        boolean any = patternEnd - p == 1 && path.charAt(p) == '*';
        if (any ? requestEnd == r
            : patternEnd - p != requestEnd - r || !path.regionMatches(p, requestPath, r, patternEnd - p)) {
          return false;
        }
        p = patternEnd;
        r = requestEnd;
      }
      return r == requestPath.length() || prefix && requestPath.charAt(r) == '/';
    }

    private static int segmentEnd(String path, int from) {
      int slash = path.indexOf('/', from);
      return slash < 0 ? path.length() : slash;
    }
  }

  private final List<Rule> rules;

  AccessPolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  static AccessPolicy parse(List<String> specs) {
    List<Rule> rules = new ArrayList<>();
    for (String spec : specs) {
      rules.add(rule(spec));
    }
    return new AccessPolicy(rules);
  }

  /** What a request with this method and (normalised) path needs. */
  public Requirement requirementFor(HttpMethod method, String path) {
    for (Rule rule : rules) {
      if (rule.matches(method, path)) {
        return rule.requirement();
      }
    }
    return UNMATCHED;
  }

  List<Rule> rules() {
    return rules;
  }

  /** The rules in order, as {@code GATEWAY_AUTH_RULES} writes them: for /admin/config. */
  List<String> describe() {
    return rules.stream().map(rule -> (rule.methods().isEmpty() ? "*" : rule.methods().stream()
        .map(HttpMethod::name).sorted().collect(Collectors.joining("|")))
        + " " + rule.path() + (rule.prefix() ? "/**" : "") + "=" + rule.requirement()).toList();
  }

  private static Rule rule(String spec) {
    String[] sides = spec.split("=", 2);
    String[] target = sides[0].trim().split("\\s+");
    if (sides.length != 2 || target.length != 2) {
      throw new ConfigException(VARIABLE + ": a rule must be 'METHODS PATH=REQUIREMENT', e.g. "
          + "'GET|HEAD /api/**=public', got '" + spec + "'");
    }
    String path = target[1];
    if (!PATH.matcher(path).matches()) {
      throw new ConfigException(VARIABLE + ": a path must be /exact/path, /prefix/** or /** (a segment may be *),"
          + " got '" + path + "'");
    }
    boolean prefix = path.endsWith("/**");
    return new Rule(methods(target[0]), prefix ? path.substring(0, path.length() - 3) : path, prefix,
        requirement(sides[1].trim()));
  }

  private static Set<HttpMethod> methods(String spec) {
    if (spec.equals("*")) {
      return Set.of();
    }
    Set<HttpMethod> methods = new LinkedHashSet<>();
    for (String method : spec.split("\\|")) {
      if (!METHODS.contains(method)) {
        throw new ConfigException(VARIABLE + ": methods must be * or some of " + METHODS
            + " separated by |, got '" + spec + "'");
      }
      methods.add(HttpMethod.valueOf(method));
    }
    return methods;
  }

  private static Requirement requirement(String spec) {
    switch (spec) {
      case "public":
        return Requirement.PUBLIC;
      case "authenticated":
        return Requirement.AUTHENTICATED;
      default:
        Set<String> roles = new LinkedHashSet<>();
        for (String role : spec.split("\\|")) {
          if (!ROLE.matcher(role).matches()) {
            throw new ConfigException(VARIABLE + ": a requirement must be public, authenticated or roles "
                + "separated by | (letters, digits, . _ -), got '" + spec + "'");
          }
          roles.add(role);
        }
        return Requirement.anyOf(roles);
    }
  }
}

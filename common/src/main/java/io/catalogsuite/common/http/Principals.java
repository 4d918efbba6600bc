package io.catalogsuite.common.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Who a request comes from, as the gateway tells the services in {@value #HEADER}: the name of the API key or the
 * subject of the token it authenticated. The gateway drops the header from what clients send and sets it on
 * authenticated requests only, so a request without it is anonymous. (Instances trust it because only the
 * gateway reaches them.)
 */
public final class Principals {
  public static final String HEADER = "X-Principal";
  /** The principal of a request the gateway did not authenticate. */
  public static final String ANONYMOUS = "anonymous";
  private static final int MAX_LENGTH = 255;

  private Principals() {
  }

  /**
   * The request's principal, {@value #ANONYMOUS} when it has none.
   *
   * @throws ProblemException 400 when the header is not text a principal can be (at most 255 characters,
   *                          {@link Text#storable})
   */
  public static String of(RoutingContext ctx) {
    String principal = ctx.request().getHeader(HEADER);
    if (principal == null) {
      return ANONYMOUS;
    }
    if (principal.isEmpty() || principal.length() > MAX_LENGTH || !Text.storable(principal)) {
      throw ProblemException.badRequest(HEADER + " must be 1 to " + MAX_LENGTH + " characters of text");
    }
    return principal;
  }
}

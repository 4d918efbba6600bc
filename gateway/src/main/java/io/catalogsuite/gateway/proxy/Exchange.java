package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.discovery.Upstream;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;

/**
 * One client request on its way through the proxy, and the instances tried for it so far. What goes to an
 * instance (method, URI, headers) is worked out once, whatever the number of attempts. Its body is either
 * buffered ({@code body}), and can be sent again, or streamed ({@code upload}), and goes to one instance at most.
 *
 * @param eventStream whether it is a long-lived event stream ({@link EventStreams})
 */
record Exchange(RoutingContext ctx, String uri, MultiMap headers, Buffer body, StreamedUpload upload,
    boolean eventStream, Set<Upstream> tried) {

  static Exchange buffered(RoutingContext ctx, String uri, MultiMap headers, boolean eventStream) {
    Buffer body = ctx.body().buffer();
    return new Exchange(ctx, uri, headers, body == null ? Buffer.buffer() : body, null, eventStream,
        new HashSet<>(2));
  }

  /** Pauses the client's request at once (see {@link StreamedUpload}). */
  static Exchange streamed(RoutingContext ctx, String uri, MultiMap headers) {
    return new Exchange(ctx, uri, headers, null, new StreamedUpload(ctx), false, new HashSet<>(2));
  }

  boolean streamsBody() {
    return upload != null;
  }
}

/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Numeric attributes that a span takes as it ends ({@link SpanEnds#end}), held beside the SDK's
 * span instead of in it, and exported after the span's own attributes as if they had been set last.
 * The SDK keeps a span's attributes in arrays with room for 16 that double at the 17th, copying
 * them and rebuilding their hash table (about 700 bytes per span): a server span has 14 attributes
 * when its request ends and 19 to 21 once its cost is known.
 *
 * <p>The keys are never set on the span itself, and an implementation answers the same until the
 * span has been exported.
 */
public interface EndAttributes {

  /**
   * @return how many attributes there are
   */
  int count();

  /**
   * @return the key of attribute {@code index}, {@code 0 <= index < count()}
   */
  AttributeKey<Long> key(int index);

  /**
   * @return the value of attribute {@code index}
   */
  long value(int index);
}

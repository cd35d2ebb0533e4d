/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.OpenTelemetry;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK logs through {@code java.util.logging}; left alone, its messages (one per
 * failed export) would land in the application's log. They go to the agent's log at debug level
 * instead: {@link ExportHealth} already tells the operator, once, what matters.
 */
final class SdkLogBridge extends Handler {

  /** Held strongly: {@code java.util.logging} forgets the level of a logger nobody references. */
  private static volatile Logger sdkLogger;

  private SdkLogBridge() {}

  static synchronized void install() {
    if (sdkLogger != null) {
      return;
    }
    // The relocated name of the SDK's root package, e.g. dev.opsagent.shaded.io.opentelemetry.
    String apiPackage = OpenTelemetry.class.getPackageName();
    Logger logger = Logger.getLogger(apiPackage.substring(0, apiPackage.lastIndexOf('.')));
    logger.setUseParentHandlers(false);
    logger.setLevel(
        LoggerFactory.getLogger(SdkLogBridge.class).isDebugEnabled() ? Level.ALL : Level.OFF);
    logger.addHandler(new SdkLogBridge());
    sdkLogger = logger;
  }

  /** Takes the bridge out of {@code java.util.logging}'s loggers: the agent detaches. */
  static synchronized void uninstall() {
    Logger logger = sdkLogger;
    if (logger == null) {
      return;
    }
    for (Handler handler : logger.getHandlers()) {
      if (handler instanceof SdkLogBridge) {
        logger.removeHandler(handler);
      }
    }
    logger.setLevel(null);
    logger.setUseParentHandlers(true);
    sdkLogger = null;
  }

  @Override
  public void publish(LogRecord record) {
    org.slf4j.Logger target = LoggerFactory.getLogger(record.getLoggerName());
    if (target.isDebugEnabled()) {
      target.debug(record.getMessage(), record.getThrown());
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}

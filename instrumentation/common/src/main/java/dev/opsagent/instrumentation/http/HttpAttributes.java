/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Attribute keys of the stable OpenTelemetry HTTP semantic conventions, and the agent's own {@code
 * opsagent.*} cost attributes (no convention exists for them yet).
 */
final class HttpAttributes {

  static final AttributeKey<String> HTTP_REQUEST_METHOD =
      AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL =
      AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> NETWORK_PEER_ADDRESS =
      AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> NETWORK_PROTOCOL_VERSION =
      AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> USER_AGENT_ORIGINAL =
      AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final AttributeKey<String> THREAD_NAME = AttributeKey.stringKey("thread.name");
  static final AttributeKey<Long> THREAD_ID = AttributeKey.longKey("thread.id");
  static final AttributeKey<String> TASK_CLASS = AttributeKey.stringKey("opsagent.task.class");
  static final AttributeKey<Long> CPU_TIME_NS = AttributeKey.longKey("opsagent.cpu_time_ns");
  static final AttributeKey<Long> CPU_TIME_OWN_NS =
      AttributeKey.longKey("opsagent.cpu_time_own_ns");
  static final AttributeKey<Long> ALLOC_BYTES = AttributeKey.longKey("opsagent.alloc_bytes");
  static final AttributeKey<Long> BLOCKED_NS = AttributeKey.longKey("opsagent.blocked_ns");
  static final AttributeKey<Long> WAITED_NS = AttributeKey.longKey("opsagent.waited_ns");
  static final AttributeKey<Long> GC_PAUSE_NS = AttributeKey.longKey("opsagent.gc_pause_ns");
  static final AttributeKey<Long> ASYNC_TASKS = AttributeKey.longKey("opsagent.async_tasks");
  static final AttributeKey<Long> THREADS_STARTED =
      AttributeKey.longKey("opsagent.threads_started");

  private HttpAttributes() {}
}

/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How an {@link OtlpReceiver} serves TLS: with which identity, and whether it requires client
 * certificates, signed by which CA.
 */
public final class ReceiverTls {

  private final TlsIdentity identity;

  /** Null: no client certificate asked for. */
  private final CertificateAuthority clientCa;

  private ReceiverTls(TlsIdentity identity, CertificateAuthority clientCa) {
    this.identity = identity;
    this.clientCa = clientCa;
  }

  /** TLS with this server certificate; no client certificate asked for. */
  public static ReceiverTls serving(TlsIdentity identity) {
    return new ReceiverTls(identity, null);
  }

  /** The same, refusing every client without a certificate signed by {@code clientCa}. */
  public ReceiverTls requiringClientCertificatesFrom(CertificateAuthority clientCa) {
    return new ReceiverTls(identity, clientCa);
  }

  boolean requiresClientCertificates() {
    return clientCa != null;
  }

  /** For the JDK's HTTPS server. */
  SSLContext jdkContext() throws IOException {
    try {
      TrustManagerFactory clientTrust = clientTrust();
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          identity.keyManagers().getKeyManagers(),
          clientTrust == null ? null : clientTrust.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the receiver's TLS", e);
    }
  }

  /** For gRPC's Netty server, with the JDK's TLS (no native library) and ALPN for HTTP/2. */
  SslContext grpcContext() throws IOException {
    try {
      SslContextBuilder builder =
          GrpcSslContexts.configure(
              SslContextBuilder.forServer(identity.keyManagers()), SslProvider.JDK);
      if (clientCa != null) {
        builder.trustManager(clientTrust()).clientAuth(ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up the receiver's TLS", e);
    }
  }

  /**
   * @return the CA of the client certificates, or null when none is required
   */
  private TrustManagerFactory clientTrust() throws IOException, GeneralSecurityException {
    if (clientCa == null) {
      return null;
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("client-ca", clientCa.certificate());
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    return factory;
  }
}

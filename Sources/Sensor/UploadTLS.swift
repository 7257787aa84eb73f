import NIOSSL

extension SensorConfig {
    /// The TLS settings of the upload client: the sensor's certificate and key, and the collector's CA;
    /// nil when none is configured (the system trust store, no client certificate). Errors name the file.
    public func uploadTLSConfiguration() throws(SensorConfigError) -> TLSConfiguration? {
        guard clientCertificateFile != nil || collectorCAFile != nil else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let certFile = clientCertificateFile, let keyFile = clientKeyFile {
            let chain: [NIOSSLCertificate]
            do { chain = try NIOSSLCertificate.fromPEMFile(certFile) } catch {
                throw .invalid(key: "collector.client_certificate", problem: "\(certFile) is not a readable PEM certificate (\(error))")
            }
            guard !chain.isEmpty else { throw .invalid(key: "collector.client_certificate", problem: "\(certFile) holds no certificate") }
            let key: NIOSSLPrivateKey
            do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
                throw .invalid(key: "collector.client_key", problem: "\(keyFile) is not a readable PEM private key (\(error))")
            }
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        if let caFile = collectorCAFile {
            let roots: [NIOSSLCertificate]
            do { roots = try NIOSSLCertificate.fromPEMFile(caFile) } catch {
                throw .invalid(key: "collector.ca_file", problem: "\(caFile) is not a readable PEM certificate (\(error))")
            }
            guard !roots.isEmpty else { throw .invalid(key: "collector.ca_file", problem: "\(caFile) holds no certificate") }
            tls.trustRoots = .certificates(roots)
        }
        return tls
    }
}

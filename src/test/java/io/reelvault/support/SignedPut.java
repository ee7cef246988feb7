package io.reelvault.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLSession;
import org.apache.http.Header;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/**
 * A PUT of a whole body to a signed URL, the way the AWS SDKs send one: {@code Expect: 100-continue} first, the body
 * only after the go-ahead. A server that refuses the request (a bad signature, a used URL, shutting down) answers from
 * the headers and may close the connection without reading the body; a client that had already sent the body would
 * then often see a reset instead of the answer (seen on s3proxy: "header parser received no bytes"). The JDK's client
 * cannot be used for this: on Java 17 a final answer in place of 100 leaves its {@code send} waiting forever.
 * Apache's client sends the body anyway when no answer comes within 3 s, as curl does.
 */
public final class SignedPut {
    private SignedPut() {}

    public static HttpResponse<String> send(String url, Map<String, String> headers, byte[] body) throws IOException {
        RequestConfig config = RequestConfig.custom()
                .setExpectContinueEnabled(true)
                .setConnectTimeout(10_000)
                .setSocketTimeout(60_000)
                .build();
        try (CloseableHttpClient client =
                HttpClients.custom().setDefaultRequestConfig(config).build()) {
            HttpPut put = new HttpPut(URI.create(url));
            headers.forEach((name, value) -> {
                if (!name.equalsIgnoreCase("Content-Length")) { // the entity sets it
                    put.setHeader(name, value);
                }
            });
            put.setEntity(new ByteArrayEntity(body));
            return client.execute(put, response -> {
                Map<String, List<String>> received = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (Header h : response.getAllHeaders()) {
                    received.computeIfAbsent(h.getName(), k -> new ArrayList<>())
                            .add(h.getValue());
                }
                String text = response.getEntity() == null
                        ? ""
                        : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                return new Answer(
                        URI.create(url),
                        response.getStatusLine().getStatusCode(),
                        HttpHeaders.of(received, (a, b) -> true),
                        text);
            });
        }
    }

    private record Answer(URI uri, int statusCode, HttpHeaders headers, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri).build();
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}

package org.purposefirewall.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API (also served by Apicurio's ccompat API, Karapace and Redpanda),
 * over the JDK's HTTP client.
 *
 * <p>Fail-over: the URLs are tried in order, starting from the last one that answered; a connection failure,
 * time-out or 5xx moves on to the next, and only when every URL failed does a call throw
 * {@link RegistryUnavailableException}. An answer with a 4xx is final and maps to the registry's error code.
 *
 * <p>Caches: id → schema and (subject, schema) → id, each bounded by {@code schema.registry.cache.capacity} (least
 * recently used out). Once warm, serdes make no HTTP call. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistrySettings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;
    private final Map<Integer, Schema> schemaById;
    private final Map<String, Integer> idBySubjectAndSchema;
    private volatile int preferred;

    public HttpSchemaRegistryClient(RegistrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (settings.trustStore() != null || settings.keyStore() != null) {
            builder.sslContext(sslContext(settings));
        }
        this.http = builder.build();
        this.authorization = settings.userInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
        this.schemaById = lru(settings.cacheCapacity());
        this.idBySubjectAndSchema = lru(settings.cacheCapacity());
    }

    /**
     * Registers, or answers the id the schema already has under the subject. A refusal (409) is checked by looking
     * the schema up: instances starting together race to create a new subject, and Apicurio refuses all but the
     * first ("already exists") although the schema is then there; registering is idempotent, so its id is the
     * answer. If the schema is not there, the refusal stands (an incompatible schema).
     */
    @Override
    public int register(String subject, Schema schema) {
        try {
            return idUnder(subject, schema, "/subjects/" + encode(subject) + "/versions", "register under subject ");
        } catch (IncompatibleSchemaException refused) {
            try {
                return idOf(subject, schema);
            } catch (RegistryUnavailableException outage) {
                throw outage;
            } catch (SchemaRegistryException notThere) {
                refused.addSuppressed(notThere);
                throw refused;
            }
        }
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idUnder(subject, schema, "/subjects/" + encode(subject) + "?normalize=false",
                "look up schema under subject ");
    }

    /** Registration and look-up differ only in the path: both answer the schema's id, cached per subject. */
    private int idUnder(String subject, Schema schema, String path, String what) {
        String cacheKey = subject + '\u0000' + schema.toString();
        Integer cached = cached(idBySubjectAndSchema, cacheKey);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", path, schemaBody(schema), what + subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException(-1, "registry answered the request to " + what + subject
                    + " without an id");
        }
        remember(cacheKey, id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = cached(schemaById, id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, "fetch schema " + id);
        Schema schema = parse(answer.path("schema").asText(null), "schema " + id);
        synchronized (schemaById) {
            schemaById.put(id, schema);
        }
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "fetch latest version of " + subject);
        int id = answer.path("id").asInt(-1);
        Schema schema = parse(answer.path("schema").asText(null), "latest version of " + subject);
        synchronized (schemaById) {
            schemaById.put(id, schema);
        }
        return new RegisteredSchema(subject, answer.path("version").asInt(-1), id, schema);
    }

    @Override
    public boolean isCompatibleWithLatest(String subject, Schema schema) {
        try {
            JsonNode answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema), "check compatibility under " + subject);
            return answer.path("is_compatible").asBoolean(false);
        } catch (SubjectNotFoundException e) {
            return true;
        }
    }

    @Override
    public void close() {
        // The JDK client releases its connections when collected; nothing else is held.
    }

    /** The settings this client was built with (passwords redacted in {@code toString}). */
    public RegistrySettings settings() {
        return settings;
    }

    private void remember(String cacheKey, int id, Schema schema) {
        synchronized (idBySubjectAndSchema) {
            idBySubjectAndSchema.put(cacheKey, id);
        }
        synchronized (schemaById) {
            schemaById.putIfAbsent(id, schema);
        }
    }

    private static <K, V> V cached(Map<K, V> cache, K key) {
        synchronized (cache) {
            return cache.get(key);
        }
    }

    private String schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema parse(String text, String what) {
        if (text == null) {
            throw new SchemaRegistryException(-1, "registry answered " + what + " without a schema");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new InvalidSchemaException("registry's " + what + " is not a valid Avro schema: " + e.getMessage());
        }
    }

    /** One call, failing over across URLs; a 4xx answer ends it. */
    private JsonNode call(String method, String path, String body, String what) {
        List<URI> urls = settings.urls();
        int start = preferred;
        IOException lastFailure = null;
        String lastStatus = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            int index = (start + attempt) % urls.size();
            URI base = urls.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString() + path))
                    .timeout(settings.requestTimeout())
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body == null) {
                request.GET();
            } else {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // Refused, timed out or reset: this URL did not answer; try the next.
                lastFailure = e;
                lastStatus = e.getClass().getSimpleName();
                logUnavailable(base, lastStatus);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while asking the schema registry to " + what, e);
            }
            int status = response.statusCode();
            if (status >= 500 || status == 429) {
                lastStatus = "HTTP " + status;
                logUnavailable(base, lastStatus);
                continue;
            }
            preferred = index;
            if (status >= 200 && status < 300) {
                return readJson(response.body(), what);
            }
            throw error(status, response.body(), what);
        }
        throw new RegistryUnavailableException("no schema registry answered to " + what + " (tried "
                + urls.stream().map(RegistrySettings::redact).toList() + "; last failure: "
                + lastStatus + ")", lastFailure);
    }

    private void logUnavailable(URI base, String why) {
        LOG.atWarn().addKeyValue("url", RegistrySettings.redact(base)).addKeyValue("failure", why)
                .log("schema registry did not answer");
    }

    private JsonNode readJson(String body, String what) {
        try {
            return json.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            throw new SchemaRegistryException(-1, "registry answered " + what + " with a body that is not JSON", e);
        }
    }

    private SchemaRegistryException error(int status, String body, String what) {
        int code = status;
        String message = "";
        try {
            JsonNode node = json.readTree(body == null || body.isEmpty() ? "{}" : body);
            // Apicurio answers 409 with error_code 0: the HTTP status is then the code.
            int errorCode = node.path("error_code").asInt(0);
            code = errorCode > 0 ? errorCode : status;
            message = node.path("message").asText("");
        } catch (IOException ignored) {
            // Not JSON (a proxy's error page): the HTTP status is all we know.
        }
        String text = "schema registry refused to " + what + ": HTTP " + status + ", error code " + code
                + (message.isEmpty() ? "" : ", " + message);
        if (code == SubjectNotFoundException.ERROR_CODE || code == 40402) {
            return new SubjectNotFoundException(code, text);
        }
        if (code == SchemaNotFoundException.ERROR_CODE) {
            return new SchemaNotFoundException(text);
        }
        if (code == IncompatibleSchemaException.ERROR_CODE || status == 409) {
            return new IncompatibleSchemaException(text);
        }
        if (code == InvalidSchemaException.ERROR_CODE || code == 42202) {
            return new InvalidSchemaException(text);
        }
        if (status == 404) {
            // A 404 without a Confluent error code: the path is wrong (e.g. the URL lacks /apis/ccompat/v7).
            return new SchemaRegistryException(code, text + " (is " + RegistrySettings.URL
                    + " the registry's Confluent-compatible base URL?)");
        }
        return new SchemaRegistryException(code, text);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    private static SSLContext sslContext(RegistrySettings settings) {
        try {
            TrustManagerFactory trust = null;
            if (settings.trustStore() != null) {
                KeyStore store = load(settings.trustStore(), settings.trustStoreType(), settings.trustStorePassword());
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            if (settings.keyStore() != null) {
                KeyStore store = load(settings.keyStore(), settings.keyStoreType(), settings.keyStorePassword());
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, settings.keyStorePassword() == null ? null
                        : settings.keyStorePassword().toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("schema registry TLS settings cannot be used: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(java.nio.file.Path file, String type, String password)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password == null ? null : password.toCharArray());
        }
        return store;
    }
}

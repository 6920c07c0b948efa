package org.purposefirewall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.purposefirewall.schema.ConsentState;
import org.purposefirewall.schema.ContactPoint;

class MockSchemaRegistryClientTest {

    private final List<String> scopes = new ArrayList<>();
    private String scope;
    private MockSchemaRegistryClient client;

    @BeforeEach
    void setUp() {
        scope = newScope();
        client = MockSchemaRegistryClient.forScope(scope);
    }

    @AfterEach
    void dropScopes() {
        scopes.forEach(MockSchemaRegistryClient::dropScope);
    }

    private String newScope() {
        String name = "test-" + UUID.randomUUID();
        scopes.add(name);
        return name;
    }

    private static Schema v1() {
        return SchemaBuilder.record("Thing").namespace("org.purposefirewall.test").fields()
                .requiredString("id")
                .requiredLong("count")
                .endRecord();
    }

    /** v1 plus an optional field with a default: BACKWARD compatible. */
    private static Schema v2WithDefault() {
        return SchemaBuilder.record("Thing").namespace("org.purposefirewall.test").fields()
                .requiredString("id")
                .requiredLong("count")
                .name("note").type().stringType().stringDefault("none")
                .endRecord();
    }

    /** v1 plus a required field without a default: cannot read v1 data. */
    private static Schema v2RequiredField() {
        return SchemaBuilder.record("Thing").namespace("org.purposefirewall.test").fields()
                .requiredString("id")
                .requiredLong("count")
                .requiredString("mandatory")
                .endRecord();
    }

    /** v1 with count changed from long to string: cannot read v1 data. */
    private static Schema v2ChangedType() {
        return SchemaBuilder.record("Thing").namespace("org.purposefirewall.test").fields()
                .requiredString("id")
                .requiredString("count")
                .endRecord();
    }

    @Test
    void sameSchemaUnderSameSubjectGetsSameId() {
        int first = client.register("s-value", v1());
        int second = client.register("s-value", v1());

        assertThat(second).isEqualTo(first);
        assertThat(client.latest("s-value").version()).isEqualTo(1);
        assertThat(client.idOf("s-value", v1())).isEqualTo(first);
        assertThat(client.schemaById(first)).isEqualTo(v1());
    }

    @Test
    void differentSchemasGetDifferentIds() {
        int thing = client.register("a-value", v1());
        int contact = client.register("b-value", ContactPoint.getClassSchema());

        assertThat(contact).isNotEqualTo(thing);
        assertThat(client.schemaById(thing)).isEqualTo(v1());
        assertThat(client.schemaById(contact)).isEqualTo(ContactPoint.getClassSchema());
    }

    @Test
    void sameSchemaUnderTwoSubjectsGetsSameGlobalId() {
        int a = client.register("a-value", ContactPoint.getClassSchema());
        int b = client.register("b-value", ContactPoint.getClassSchema());

        assertThat(b).isEqualTo(a);
        assertThat(client.idOf("a-value", ContactPoint.getClassSchema())).isEqualTo(a);
        assertThat(client.idOf("b-value", ContactPoint.getClassSchema())).isEqualTo(a);
        assertThat(client.latest("b-value").version()).isEqualTo(1);
    }

    @Test
    void clientsOfOneScopeShareState() {
        MockSchemaRegistryClient other = MockSchemaRegistryClient.forScope(scope);
        int id = client.register("s-value", v1());

        assertThat(other.schemaById(id)).isEqualTo(v1());
        assertThat(other.idOf("s-value", v1())).isEqualTo(id);
        assertThat(other.latest("s-value").id()).isEqualTo(id);
        // and the other way round
        int fromOther = other.register("t-value", ConsentState.getClassSchema());
        assertThat(client.schemaById(fromOther)).isEqualTo(ConsentState.getClassSchema());
    }

    @Test
    void differentScopesDoNotShareState() {
        MockSchemaRegistryClient elsewhere = MockSchemaRegistryClient.forScope(newScope());
        int id = client.register("s-value", v1());

        assertThatThrownBy(() -> elsewhere.latest("s-value")).isInstanceOf(SubjectNotFoundException.class);
        assertThatThrownBy(() -> elsewhere.idOf("s-value", v1())).isInstanceOf(SubjectNotFoundException.class);
        assertThatThrownBy(() -> elsewhere.schemaById(id)).isInstanceOf(SchemaNotFoundException.class);
        // the other scope numbers its ids independently, and its schemas stay there
        int otherId = elsewhere.register("s-value", ContactPoint.getClassSchema());
        assertThat(elsewhere.schemaById(otherId)).isEqualTo(ContactPoint.getClassSchema());
        assertThat(client.latest("s-value").schema()).isEqualTo(v1());
    }

    @Test
    void droppedScopeStartsEmptyForNewClients() {
        client.register("s-value", v1());
        MockSchemaRegistryClient.dropScope(scope);

        MockSchemaRegistryClient fresh = MockSchemaRegistryClient.forScope(scope);
        assertThatThrownBy(() -> fresh.latest("s-value")).isInstanceOf(SubjectNotFoundException.class);
    }

    @Test
    void createWithMockUrlReturnsWorkingMockOfThatScope() {
        String name = newScope();
        SchemaRegistryClient created = SchemaRegistryClients.create(SchemaRegistryConfig.parse(
                Map.of("schema.registry.url", "mock://" + name)));

        assertThat(created).isInstanceOf(MockSchemaRegistryClient.class);
        int id = created.register("s-value", v1());
        assertThat(created.schemaById(id)).isEqualTo(v1());
        assertThat(created.latest("s-value").id()).isEqualTo(id);
        // it is the named scope, shared with forScope
        assertThat(MockSchemaRegistryClient.forScope(name).schemaById(id)).isEqualTo(v1());
    }

    @Test
    void createWithHttpUrlGivesTheHttpClient() {
        SchemaRegistryClient created = SchemaRegistryClients.create(SchemaRegistryConfig.parse(Map.of("schema.registry.url",
                "http://localhost:8081,https://backup.example:8443", "auto.register.schemas", "false")));

        assertThat(created).isInstanceOf(HttpSchemaRegistryClient.class);
        assertThat(((HttpSchemaRegistryClient) created).settings().urls()).extracting(Object::toString)
                .containsExactly("http://localhost:8081", "https://backup.example:8443");
        // a URL that is neither http(s) nor mock:// is still refused, naming the key
        assertThatThrownBy(() -> SchemaRegistryClients.create(SchemaRegistryConfig.parse(Map.of("schema.registry.url", "ftp://x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void createWithoutUrlThrowsNamingTheKey() {
        assertThatThrownBy(() -> SchemaRegistryClients.create(SchemaRegistryConfig.parse(Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void schemaByUnknownIdThrows40403() {
        client.register("s-value", v1());

        assertThatThrownBy(() -> client.schemaById(987_654))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void latestOfUnknownSubjectThrows40401() {
        assertThatThrownBy(() -> client.latest("nobody-value"))
                .isInstanceOf(SubjectNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40401));
    }

    @Test
    void idOfSchemaNotRegisteredUnderSubjectThrows40403() {
        client.register("s-value", v1());
        client.register("other-value", ContactPoint.getClassSchema());

        assertThatThrownBy(() -> client.idOf("s-value", ContactPoint.getClassSchema()))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void backwardCompatibleNewVersionIsRegistered() {
        int v1Id = client.register("s-value", v1());
        assertThat(client.isCompatibleWithLatest("s-value", v2WithDefault())).isTrue();

        int v2Id = client.register("s-value", v2WithDefault());

        assertThat(v2Id).isNotEqualTo(v1Id);
        SchemaRegistryClient.RegisteredSchema latest = client.latest("s-value");
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(v2Id);
        assertThat(latest.schema()).isEqualTo(v2WithDefault());
        assertThat(latest.subject()).isEqualTo("s-value");
        // both versions stay readable by id
        assertThat(client.schemaById(v1Id)).isEqualTo(v1());
        assertThat(client.schemaById(v2Id)).isEqualTo(v2WithDefault());
        // re-registering the old version returns its id without adding a version
        assertThat(client.register("s-value", v1())).isEqualTo(v1Id);
        assertThat(client.latest("s-value").version()).isEqualTo(2);
    }

    @Test
    void addedRequiredFieldWithoutDefaultIsIncompatible() {
        client.register("s-value", v1());

        assertThat(client.isCompatibleWithLatest("s-value", v2RequiredField())).isFalse();
        assertThatThrownBy(() -> client.register("s-value", v2RequiredField()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
        SchemaRegistryClient.RegisteredSchema latest = client.latest("s-value");
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.schema()).isEqualTo(v1());
    }

    @Test
    void changedFieldTypeIsIncompatible() {
        client.register("s-value", v1());

        assertThat(client.isCompatibleWithLatest("s-value", v2ChangedType())).isFalse();
        assertThatThrownBy(() -> client.register("s-value", v2ChangedType()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
        assertThat(client.latest("s-value").version()).isEqualTo(1);
    }

    @Test
    void incompatibleUnderOneSubjectIsFineUnderAnother() {
        client.register("s-value", v1());

        assertThat(client.isCompatibleWithLatest("fresh-value", v2RequiredField())).isTrue();
        int id = client.register("fresh-value", v2RequiredField());
        assertThat(client.latest("fresh-value").id()).isEqualTo(id);
    }
}

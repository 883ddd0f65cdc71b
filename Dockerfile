# Platewarden, production image: build with Maven, run on a JRE. Elasticsearch is NOT embedded here:
# the container talks to the cluster named by ES_URL (see docker-compose.yml).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --user-group --home-dir /var/lib/platewarden platewarden \
 && mkdir -p /var/lib/platewarden /etc/platewarden && chown platewarden:platewarden /var/lib/platewarden
COPY --from=build /src/app/target/platewarden-app.jar /opt/platewarden/platewarden-app.jar
COPY --from=build /src/app/target/lib /opt/platewarden/lib
COPY deploy/config.example.json /etc/platewarden/config.json
USER platewarden
WORKDIR /var/lib/platewarden
EXPOSE 8080 8081 1883 8883
HEALTHCHECK --interval=10s --timeout=3s --retries=12 CMD curl -fsS http://127.0.0.1:8081/health/ready || exit 1
# out of heap the JVM exits (code 3) and the container's restart policy starts it again (docs/operations.md, Memory)
ENTRYPOINT ["java", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-cp", "/opt/platewarden/platewarden-app.jar:/opt/platewarden/lib/*", "org.platewarden.app.PlatewardenMain"]
CMD ["run", "--config", "/etc/platewarden/config.json"]

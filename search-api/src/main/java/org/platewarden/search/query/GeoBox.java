package org.platewarden.search.query;

/** A {@code geo_box} filter: reads whose location lies inside the box (left may exceed right across the antimeridian). */
public record GeoBox(double topLat, double leftLon, double bottomLat, double rightLon) {
}

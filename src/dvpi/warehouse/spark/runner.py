"""Compiled SQL run on Spark (Ibis compiles the same expressions to Spark SQL)."""

from __future__ import annotations

import pyarrow as pa


class SparkRunner:
    engine = "spark"
    # Spark's optimiser spent minutes on the counting query of a borough breakdown once
    # every dated table carried its own cross join with the cells' bounds (the v2
    # example, CI, 2026-12-07): Spark reads a whole table anyway, so it scopes first.
    cuts_by_date = False

    def __init__(self, spark) -> None:
        self.spark = spark
        self._backend = None

    @property
    def backend(self):
        # Made on first use: a computation whose plan is cached never needs Ibis.
        if self._backend is None:
            import ibis

            self._backend = ibis.pyspark.connect(self.spark)
        return self._backend

    def compile(self, expr) -> str:
        return self.backend.compile(expr)

    def put_arrow(self, name: str, table: pa.Table) -> None:
        df = self.spark.createDataFrame(table.to_pandas(date_as_object=True),
                                        schema=_spark_schema(table.schema))
        df.createOrReplaceTempView(name)

    def materialise(self, name: str, sql: str) -> None:
        self.drop(name)
        self.spark.sql(f"CACHE TABLE `{name}` AS {sql}")

    def fetch(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def drop(self, name: str) -> None:
        self.spark.sql(f"UNCACHE TABLE IF EXISTS `{name}`")
        self.spark.catalog.dropTempView(name)


def _spark_schema(schema: pa.Schema):
    from pyspark.sql import types as T

    kinds = {pa.int64(): T.LongType(), pa.string(): T.StringType(), pa.date32(): T.DateType(),
             pa.bool_(): T.BooleanType(), pa.float64(): T.DoubleType()}
    return T.StructType([T.StructField(f.name, kinds[f.type], True) for f in schema])

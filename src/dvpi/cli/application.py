"""The ``dvpi`` Typer application that every feature module registers its commands on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dvpi",
    help="Domestic-violence performance information: load, resolve, compute, publish.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main(
    spark_master: str = typer.Option(
        None, "--spark-master", metavar="URL",
        help="Run --engine spark on this cluster (spark://host:7077) instead of local mode."),
    spark_conf: str = typer.Option(
        None, "--spark-conf", metavar="FILE",
        help="A TOML file: master, tmp (the Parquet mirror's folder), \\[conf] Spark properties."),
) -> None:
    """Domestic-violence performance information: load, resolve, compute, publish."""
    if spark_master or spark_conf:
        from dvpi.cli.common import fail
        from dvpi.warehouse.spark.session import SparkConfigError, configure

        try:
            configure(master=spark_master, conf_file=spark_conf)
        except SparkConfigError as error:
            raise fail(str(error)) from error

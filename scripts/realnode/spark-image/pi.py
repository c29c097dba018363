# PySpark's classic example, written for sparkop's image: estimates Pi from random points in the unit square,
# spread over N partitions (the first argument, default 2) of 100 000 points each.
import random
import sys

from pyspark.sql import SparkSession


def hit(_: int) -> int:
    x = random.random() * 2 - 1
    y = random.random() * 2 - 1
    return 1 if x * x + y * y <= 1 else 0


if __name__ == "__main__":
    spark = SparkSession.builder.appName("PythonPi").getOrCreate()
    partitions = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    points = 100000 * partitions
    hits = spark.sparkContext.parallelize(range(points), partitions).map(hit).sum()
    print(f"Pi is roughly {4.0 * hits / points:f}")
    spark.stop()

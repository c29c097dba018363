// Spark's classic example, written for sparkop's image: estimates Pi from random points in the unit square,
// spread over N partitions (the first argument, default 2) of 100 000 points each.
package org.apache.spark.examples

import scala.util.Random

import org.apache.spark.sql.SparkSession

object SparkPi {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().appName("Spark Pi").getOrCreate()
    val partitions = if (args.nonEmpty) args(0).toInt else 2
    val points = math.min(100000L * partitions, Int.MaxValue.toLong).toInt
    val hits = spark.sparkContext
      .parallelize(0 until points, partitions)
      .filter { _ =>
        val x = Random.nextDouble() * 2 - 1
        val y = Random.nextDouble() * 2 - 1
        x * x + y * y <= 1
      }
      .count()
    println(s"Pi is roughly ${4.0 * hits / points}")
    spark.stop()
  }
}

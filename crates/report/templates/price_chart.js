// Gauntlet's champion price charts: draws each `.price-chart` box from the JSON in #price-data with
// TradingView Lightweight Charts (inlined above). One chart per champion, one symbol at a time (the
// box's select): candles (a close line for close-only data) with a marker at every trade's entry and
// exit, equity and buy-and-hold in a pane below on the same time axis, the parts' starts marked.
// Hovering a marker shows its trade; clicking a trade draws its entry, stop, target and
// trailing-stop activation levels. After drawing, the box carries data-symbol, data-trades (the
// trades of that champion on that symbol) and data-markers (the markers the library holds).
(function () {
  "use strict";
  var library = window.LightweightCharts;
  var data = JSON.parse(document.getElementById("price-data").textContent);
  var partColours = { in_sample: "#1f77b4", validation: "#ff7f0e", holdout: "#2ca02c" };

  function decimals(values) {
    var sorted = values.filter(function (value) { return isFinite(value); }).sort(function (a, b) { return a - b; });
    var median = sorted.length ? Math.abs(sorted[Math.floor(sorted.length / 2)]) : 1;
    if (median >= 1000) { return 2; }
    if (median >= 10) { return 3; }
    if (median >= 1) { return 4; }
    return 6;
  }

  function priceText(value, places) {
    return value === null || value === undefined || !isFinite(value) ? "n/a" : value.toFixed(places);
  }

  function describe(trade, places) {
    var percent = (trade.return_fraction * 100).toFixed(2);
    var text = trade.side + " (" + trade.part.replace("_", "-") + "): entered " + trade.entry + " at " +
      priceText(trade.entry_price, places) + ", exited " + trade.exit + " at " + priceText(trade.exit_price, places) +
      " by " + trade.exit_reason.replace(/_/g, " ") + ", return " + (trade.return_fraction >= 0 ? "+" : "") + percent + "%";
    var levels = [];
    if (trade.stop !== null) { levels.push("stop " + priceText(trade.stop, places)); }
    if (trade.target !== null) { levels.push("target " + priceText(trade.target, places)); }
    if (trade.trail_activation !== null) { levels.push("trailing stop from " + priceText(trade.trail_activation, places)); }
    return levels.length ? text + "; " + levels.join(", ") : text;
  }

  function draw(box, dataset) {
    var category = box.getAttribute("data-category");
    var bars = data.symbols[dataset];
    var mine = data.champions[category][dataset];
    var holder = box.querySelector(".chart");
    var info = box.querySelector(".trade-info");
    if (box.chartApi) { box.chartApi.remove(); }
    var intraday = bars.time.some(function (time) { return time % 86400 !== 0; });
    var places = decimals(bars.close);
    var chart = library.createChart(holder, {
      autoSize: true,
      layout: { background: { color: "#ffffff" }, textColor: "#1d2430", fontSize: 11 },
      grid: { vertLines: { color: "#f0f2f5" }, horzLines: { color: "#f0f2f5" } },
      timeScale: { timeVisible: intraday, secondsVisible: false, borderColor: "#d0d7de" },
      rightPriceScale: { borderColor: "#d0d7de" },
      crosshair: { mode: 0 }
    });
    box.chartApi = chart;
    var format = { type: "price", precision: places, minMove: Math.pow(10, -places) };
    var price;
    if (bars.ohlc) {
      price = chart.addSeries(library.CandlestickSeries, {
        upColor: "#26a69a", downColor: "#ef5350", borderVisible: false,
        wickUpColor: "#26a69a", wickDownColor: "#ef5350", priceFormat: format
      });
      price.setData(bars.time.map(function (time, index) {
        return { time: time, open: bars.open[index], high: bars.high[index], low: bars.low[index], close: bars.close[index] };
      }));
    } else {
      price = chart.addSeries(library.LineSeries, { color: "#1d2430", lineWidth: 1, priceFormat: format });
      price.setData(bars.time.map(function (time, index) { return { time: time, value: bars.close[index] }; }));
    }
    var markers = [];
    mine.trades.forEach(function (trade, index) {
      var long = trade.side !== "short";
      markers.push({
        id: "entry-" + index, time: trade.entry_candle, position: long ? "belowBar" : "aboveBar",
        shape: long ? "arrowUp" : "arrowDown", color: long ? "#1b7a3a" : "#b3261e", size: 1
      });
      markers.push({
        id: "exit-" + index, time: trade.exit_candle, position: long ? "aboveBar" : "belowBar",
        shape: "circle", color: trade.return_fraction >= 0 ? "#2ea043" : "#d73a49", size: 0.8
      });
    });
    markers.sort(function (a, b) { return a.time - b.time; });
    // Markers stacked on one merged candle would otherwise stretch the price scale far beyond the
    // prices (to 0 on the quickstart's S&P 500): the scale fits the bars, with margins for markers.
    var tradeMarkers = library.createSeriesMarkers(price, markers, { autoScale: false });
    price.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.08 } });

    var equity = chart.addSeries(library.LineSeries, {
      lineWidth: 2, priceFormat: { type: "price", precision: 3, minMove: 0.001 }, title: "equity"
    }, 1);
    var partAt = function (time) {
      var name = bars.parts[0][1];
      bars.parts.forEach(function (part) { if (part[0] <= time) { name = part[1]; } });
      return name;
    };
    equity.setData(bars.time.map(function (time, index) {
      return { time: time, value: mine.equity[index], color: partColours[partAt(time)] || "#1f77b4" };
    }));
    var hold = chart.addSeries(library.LineSeries, {
      color: "#8c8c8c", lineWidth: 1, priceFormat: { type: "price", precision: 3, minMove: 0.001 }, title: "buy and hold"
    }, 1);
    hold.setData(bars.time.map(function (time, index) { return { time: time, value: bars.buy_and_hold[index] }; }));
    library.createSeriesMarkers(equity, bars.parts.slice(1).map(function (part) {
      return { time: part[0], position: "aboveBar", shape: "square", color: "#444", text: part[1].replace("_", "-") + " starts" };
    }));
    var panes = chart.panes();
    if (panes.length > 1) { panes[1].setHeight(160); }
    chart.timeScale().fitContent();

    var lines = [];
    function select(trade) {
      lines.forEach(function (line) { price.removePriceLine(line); });
      lines = [];
      var add = function (value, colour, title) {
        if (value !== null && isFinite(value)) {
          lines.push(price.createPriceLine({ price: value, color: colour, lineWidth: 1, lineStyle: 2, axisLabelVisible: true, title: title }));
        }
      };
      add(trade.entry_price, "#1f77b4", "entry");
      add(trade.stop, "#d73a49", "stop");
      add(trade.target, "#2ea043", "target");
      add(trade.trail_activation, "#ff7f0e", "trail from");
      info.textContent = "Selected: " + describe(trade, places);
    }
    function tradeAt(param) {
      var id = param.hoveredObjectId;
      if (typeof id === "string" && id.indexOf("-") > 0) {
        return mine.trades[Number(id.split("-")[1])];
      }
      if (param.time === undefined) { return null; }
      var found = null;
      mine.trades.forEach(function (trade) {
        if (trade.entry_candle <= param.time && param.time <= trade.exit_candle) { found = trade; }
      });
      return found;
    }
    chart.subscribeCrosshairMove(function (param) {
      var trade = tradeAt(param);
      if (trade) { info.textContent = describe(trade, places); }
    });
    chart.subscribeClick(function (param) {
      var trade = tradeAt(param);
      if (trade) { select(trade); }
    });
    info.textContent = mine.trades.length + " trades on " + dataset +
      (bars.bars_per_candle > 1 ? "; each candle merges " + bars.bars_per_candle + " bars" : "") +
      ". Hover a marker for its trade, click it for its levels.";
    box.setAttribute("data-symbol", dataset);
    box.setAttribute("data-trades", String(mine.trades.length));
    box.setAttribute("data-markers", String(tradeMarkers.markers().length));
  }

  Array.prototype.forEach.call(document.querySelectorAll(".price-chart"), function (box) {
    var choice = box.querySelector("select");
    choice.addEventListener("change", function () { draw(box, choice.value); });
    draw(box, choice.value);
  });
  document.body.setAttribute("data-price-charts", String(document.querySelectorAll(".price-chart[data-markers]").length));
})();

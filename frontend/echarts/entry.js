// The parts of Apache ECharts the dashboards draw with: bar charts and a map, with their
// tooltips, legend and colour scale, on canvas. (Screen readers read each figure's table.)
import * as echarts from "echarts/core";
import { BarChart, MapChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  MapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export * from "echarts/core";
